/**
 * One request to a running gateway's local admin socket (admin-socket.ts), for the clients of its admin
 * routes (admin-client.ts: registry and quarantine; dosing-client.ts: schedules). The answer is JSON; an error
 * answer comes back as the gateway raised it: a TrialgateError with the same code, message and details.
 */
import { request as httpRequest } from 'node:http';
import { TrialgateError } from '@trialgate/firmware-protocol';

export type AdminSocketRequest = <T>(method: string, route: string, body?: string) => Promise<T>;

export function adminSocketRequest(socketPath: string): AdminSocketRequest {
  return <T>(method: string, route: string, body?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const request = httpRequest(
        {
          socketPath,
          method,
          path: route,
          headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              reject(new TrialgateError('E_ADMIN_RESPONSE', `the gateway answered ${response.statusCode ?? '?'} without JSON`));
              return;
            }
            if ((response.statusCode ?? 500) >= 400) {
              const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }).error ?? {};
              reject(new TrialgateError(error.code ?? 'E_ADMIN_RESPONSE', error.message ?? 'the gateway refused the request', { details: error.details ?? {} }));
              return;
            }
            resolve(parsed as T);
          });
          response.on('error', reject);
        },
      );
      request.on('error', (cause) => reject(new TrialgateError('E_ADMIN_UNREACHABLE', `cannot reach the running gateway's admin socket ${socketPath}`, { cause })));
      request.end(body);
    });
}
