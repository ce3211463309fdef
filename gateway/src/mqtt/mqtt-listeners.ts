/**
 * The broker's network listeners: MQTT over TCP (always), over TLS and over WebSocket (when configured).
 * Each hands its connections to aedes; closing a listener stops new connections and leaves live ones alone.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { MqttTlsListenerConfig, MqttWebSocketListenerConfig } from '../config/gateway-config.js';

export interface MqttListenerOptions {
  readonly tcp: { readonly host: string; readonly port: number };
  readonly tls: MqttTlsListenerConfig | null;
  readonly ws: MqttWebSocketListenerConfig | null;
}

export interface MqttListenerAddresses {
  readonly tcp: AddressInfo;
  readonly tls: AddressInfo | null;
  readonly ws: (AddressInfo & { readonly path: string }) | null;
}

export interface MqttListeners {
  readonly addresses: MqttListenerAddresses;
  /**
   * Stops accepting connections at once; live ones stay. The promise resolves once every connection the
   * listeners accepted has ended (the broker closes them), so await it only after closing the broker.
   */
  close(): Promise<void>;
}

export type ConnectionHandler = (stream: Duplex, request?: IncomingMessage) => void;

export async function startMqttListeners(options: MqttListenerOptions, handle: ConnectionHandler): Promise<MqttListeners> {
  const servers: Server[] = [];
  const extra: (() => Promise<void>)[] = [];
  try {
    const tcp = createTcpServer((socket) => handle(socket));
    servers.push(tcp);
    const tcpAddress = await listen(tcp, options.tcp.port, options.tcp.host);

    let tlsAddress: AddressInfo | null = null;
    if (options.tls !== null) {
      const ca = options.tls.caFile === null ? null : readFileSync(options.tls.caFile);
      const tls = createTlsServer(
        {
          cert: readFileSync(options.tls.certFile),
          key: readFileSync(options.tls.keyFile),
          // With a CA configured, a client must present a certificate it signed; the connect token still
          // decides which device the client is.
          ...(ca === null ? {} : { ca, requestCert: true, rejectUnauthorized: true }),
          minVersion: 'TLSv1.2',
        },
        (socket) => handle(socket),
      );
      servers.push(tls);
      tlsAddress = await listen(tls, options.tls.port, options.tls.host);
    }

    let wsAddress: MqttListenerAddresses['ws'] = null;
    if (options.ws !== null) {
      const http = createHttpServer((_request, response) => {
        response.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: upgrade required\n');
      });
      const wss = new WebSocketServer({ server: http, path: options.ws.path });
      wss.on('connection', (socket, request) => {
        const stream = createWebSocketStream(socket);
        stream.on('error', () => socket.terminate());
        handle(stream, request);
      });
      servers.push(http as unknown as Server);
      extra.push(
        () =>
          new Promise<void>((resolve) => {
            wss.close(() => resolve());
          }),
      );
      const address = await listen(http as unknown as Server, options.ws.port, options.ws.host);
      wsAddress = { ...address, path: options.ws.path };
    }

    return {
      addresses: { tcp: tcpAddress, tls: tlsAddress, ws: wsAddress },
      close: () => Promise.all([...servers.map(closeServer), ...extra.map((f) => f())]).then(() => undefined),
    };
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** `server.close()` stops listening synchronously; its callback waits for the accepted connections to end. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}
