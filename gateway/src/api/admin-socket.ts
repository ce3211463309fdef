/**
 * The running gateway's local admin endpoint: the admin routes on a Unix domain socket,
 * `DATA/run/admin.sock`, in a directory only the gateway's user can enter (mode 0700). Whoever can open it
 * can already read and write the data directory, so it needs no token; it lets the CLI's `devices` and
 * `quarantine` commands work on a running gateway while the log keeps its one writer.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AdminRouteHandler } from './admin-routes.js';

/** Unix socket paths are limited to about 107 bytes (sun_path); longer data directory paths get no socket. */
export const MAX_SOCKET_PATH = 100;

export function adminSocketPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'run', 'admin.sock');
}

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on the data directory's admin socket. Call only while holding the data directory's writer lock:
 * a socket file left by a killed gateway is removed first.
 */
export async function startAdminSocket(dataDir: string, routes: AdminRouteHandler): Promise<AdminSocket | null> {
  const socketPath = adminSocketPath(dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) return null;
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  chmodSync(path.dirname(socketPath), 0o700);
  rmSync(socketPath, { force: true });
  const server: Server = createServer((request, response) => {
    routes(request, response, { by: 'cli' }).then(
      (handled) => {
        if (!handled) {
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'E_ADMIN_ROUTE', message: 'not an admin route', details: {} } }));
        }
      },
      () => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(socketPath, { force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
