/**
 * The gateway's HTTP API on node:http (no framework: a dozen routes, and the device side's admin handler is a
 * plain node:http handler too). Routing, bearer-token authentication and scopes, JSON errors with stable
 * codes, request metrics. docs/http-api.md lists the routes.
 *
 * Authentication (RFC 6750): `Authorization: Bearer <token>`. On a protected route: no token or an unknown or
 * revoked one -> 401 with `WWW-Authenticate: Bearer`; a valid token without the route's scope -> 403.
 * Protected responses carry `Cache-Control: no-store` (they hold health data). Tokens never reach a log line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import { ApiError, httpStatusOf } from './api-error.js';
import type { ApiMount, ApiReply, ApiRoute } from './api-route.js';
import { scopeAllows, type ApiScope, type ApiTokenInfo, type ApiTokenStore } from './api-tokens.js';

export interface HttpApiOptions {
  /** Default 127.0.0.1; `0.0.0.0` to serve sponsors on the network. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly routes: readonly ApiRoute[];
  readonly mounts?: readonly ApiMount[];
  readonly tokens: ApiTokenStore;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
}

export interface HttpApi {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  close(): Promise<void>;
}

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly segments: readonly string[];
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const compiled: CompiledRoute[] = options.routes.map((route) => ({ route, segments: splitPath(route.path) }));
  const server = http.createServer((request, response) => {
    void handle(request, response);
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let routeName = 'unmatched';
    try {
      const url = requestUrl(request.url);
      const method = request.method ?? 'GET';
      const mount = options.mounts?.find((m) => url.pathname.startsWith(m.prefix));
      if (mount !== undefined) {
        routeName = `${mount.prefix}*`;
        const token = authenticate(request, mount.scope);
        if (!(await mount.handle(request, response, token))) throw notFound(url.pathname);
        return;
      }
      const match = matchRoute(compiled, method, url.pathname);
      if (match === 'method') throw new ApiError('E_API_METHOD', `${method} is not allowed on ${url.pathname}`);
      if (match === null) throw notFound(url.pathname);
      routeName = `${match.route.method} ${match.route.path}`;
      const token = match.route.scope === null ? null : authenticate(request, match.route.scope);
      const reply = await match.route.handle({ request, response, url, params: match.params, token });
      send(response, reply, match.route.scope !== null);
    } catch (error) {
      const status = httpStatusOf(error);
      if (status >= 500) options.logger.error({ err: error, route: routeName }, 'API request failed');
      if (response.headersSent) {
        response.destroy();
      } else {
        const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
        if (status === 401) headers['www-authenticate'] = 'Bearer realm="trialgate"';
        const body = isTrialgateError(error)
          ? { error: error.toJSON() }
          : { error: { code: 'E_API_INTERNAL', message: 'the request failed inside the gateway', details: {} } };
        response.writeHead(status, headers).end(`${JSON.stringify(body)}\n`);
      }
    } finally {
      const record = (): void => {
        options.metrics?.httpRequests.inc({ route: routeName, status: String(response.statusCode) });
      };
      if (response.writableFinished) record();
      else response.once('finish', record);
    }
  }

  function authenticate(request: http.IncomingMessage, scope: ApiScope): ApiTokenInfo {
    const header = request.headers.authorization;
    // Attacker-controlled: the header; only a well-formed bearer token is looked up. The scheme name is
    // case-insensitive (RFC 9110 section 11.1), so `bearer` from a client library is the same as `Bearer`.
    const match = typeof header === 'string' ? /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header.trim()) : null;
    const token = match?.[1] === undefined ? null : options.tokens.authenticate(match[1]);
    if (token === null) {
      throw new ApiError('E_API_UNAUTHENTICATED', 'this route needs a valid API token (Authorization: Bearer <token>)');
    }
    if (!scopeAllows(token.scopes, scope)) {
      throw new ApiError('E_API_FORBIDDEN', `this route needs a token with the ${scope} scope`, {
        details: { needed: scope, tokenId: token.id },
      });
    }
    return token;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}

function send(response: http.ServerResponse, reply: ApiReply, isProtected: boolean): void {
  if (reply.kind === 'handled') return;
  const headers: http.OutgoingHttpHeaders = { 'x-content-type-options': 'nosniff' };
  if (isProtected) headers['cache-control'] = 'no-store';
  if (reply.kind === 'json') {
    headers['content-type'] = 'application/json; charset=utf-8';
    response.writeHead(reply.status ?? 200, headers).end(`${JSON.stringify(reply.body)}\n`);
    return;
  }
  headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
  response.writeHead(reply.status ?? 200, headers).end(reply.body);
}

/**
 * The request target as a URL. Attacker-controlled: `//host/...` must stay a path (as a relative URL it would
 * name a host), and a target that is no URL at all is a 400.
 */
function requestUrl(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    return raw.startsWith('/') ? new URL(`http://api.invalid${raw}`) : new URL(raw, 'http://api.invalid');
  } catch {
    throw new ApiError('E_API_BAD_REQUEST', 'the request target is not a URL');
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): { route: ApiRoute; params: Record<string, string> } | 'method' | null {
  const parts = splitPath(pathname);
  let methodMismatch = false;
  for (const { route, segments } of routes) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, segment] of segments.entries()) {
      const part = parts[i] ?? '';
      if (segment.startsWith(':')) {
        try {
          params[segment.slice(1)] = decodeURIComponent(part);
        } catch {
          ok = false;
        }
      } else if (segment !== part) {
        ok = false;
      }
      if (!ok) break;
    }
    if (!ok) continue;
    if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
      methodMismatch = true;
      continue;
    }
    return { route, params };
  }
  return methodMismatch ? 'method' : null;
}

function notFound(pathname: string): ApiError {
  return new ApiError('E_API_NOT_FOUND', `no route ${pathname}`);
}
