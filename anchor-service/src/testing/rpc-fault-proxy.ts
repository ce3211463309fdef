/**
 * Test support: a small HTTP proxy in front of a JSON-RPC endpoint whose faults the test controls: the
 * endpoint down (connections refused), HTTP 503s, JSON-RPC errors, or one method refused while others pass.
 * It counts what it refused, so a test can tell that the fault was actually met.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RpcFault =
  | { readonly kind: 'none' }
  /** Stop listening: connections are refused (the endpoint is down). */
  | { readonly kind: 'down' }
  /** Answer every request with this HTTP status (e.g. 503 from a load balancer). */
  | { readonly kind: 'http-status'; readonly status: number }
  /** Answer every request with a JSON-RPC error (e.g. -32005 limit exceeded). */
  | { readonly kind: 'rpc-error'; readonly code: number; readonly message: string }
  /** Answer only these methods with a JSON-RPC error; pass the rest. */
  | { readonly kind: 'refuse-methods'; readonly methods: readonly string[]; readonly message: string };

export interface RpcFaultProxy {
  readonly url: string;
  readonly port: number;
  setFault(fault: RpcFault): Promise<void>;
  /** Requests answered with a fault so far (connection refusals are not seen, so not counted). */
  readonly faultsServed: () => number;
  /** Methods forwarded, in order (for assertions such as "broadcast after the fault"). */
  readonly forwarded: () => readonly string[];
  close(): Promise<void>;
}

export async function startRpcFaultProxy(targetUrl: string): Promise<RpcFaultProxy> {
  let fault: RpcFault = { kind: 'none' };
  let faults = 0;
  const forwarded: string[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: { id?: unknown; method?: unknown } | { id?: unknown; method?: unknown }[] = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // forwarded as is
      }
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      const methods = calls.map((call) => String(call.method));
      const errorFor = (call: { id?: unknown }, code: number, message: string): unknown => ({ jsonrpc: '2.0', id: call.id ?? null, error: { code, message } });
      if (fault.kind === 'http-status') {
        faults += 1;
        response.writeHead(fault.status, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      if (fault.kind === 'rpc-error' || (fault.kind === 'refuse-methods' && methods.some((method) => fault.kind === 'refuse-methods' && fault.methods.includes(method)))) {
        faults += 1;
        const code = fault.kind === 'rpc-error' ? fault.code : -32000;
        const message = fault.kind === 'rpc-error' || fault.kind === 'refuse-methods' ? fault.message : '';
        const answer = Array.isArray(parsed) ? calls.map((call) => errorFor(call, code, message)) : errorFor(calls[0] ?? {}, code, message);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      forwarded.push(...methods);
      fetch(targetUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (upstream) => {
          response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
        },
        () => {
          response.writeHead(502, { 'content-type': 'text/plain' }).end('upstream unreachable');
        },
      );
    });
  };
  let server: Server = createServer(handler);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async setFault(next) {
      fault = next;
      if (next.kind === 'down' && listening) {
        await closeServer(server);
        listening = false;
      } else if (next.kind !== 'down' && !listening) {
        server = createServer(handler);
        await listen(server, port);
        listening = true;
      }
    },
    faultsServed: () => faults,
    forwarded: () => forwarded,
    async close() {
      if (listening) await closeServer(server);
      listening = false;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
