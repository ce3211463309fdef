/** `DosingOperations` sent to a running gateway's admin socket (dosing-routes.ts). */
import { request as httpRequest } from 'node:http';
import { TrialgateError } from '@trialgate/firmware-protocol';
import type { DosingOperations, ScheduleChangeView, ScheduleDetailsView, ScheduleView } from './dosing-operations.js';
import { SCHEDULE_ROUTE_PREFIX } from './dosing-routes.js';

export function createDosingClient(socketPath: string): DosingOperations {
  const call = <T>(method: string, route: string, body?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const request = httpRequest(
        { socketPath, method, path: route, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
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
  const device = (id: string): string => `${SCHEDULE_ROUTE_PREFIX}/${encodeURIComponent(id)}`;
  return {
    listSchedules: () => call<ScheduleView[]>('GET', SCHEDULE_ROUTE_PREFIX),
    showSchedule: (id) => call<ScheduleDetailsView>('GET', device(id)),
    setSchedule: (id, request) => call<ScheduleChangeView>('PUT', device(id), JSON.stringify(request)),
    clearSchedule: (id) => call<ScheduleChangeView>('DELETE', device(id)),
  };
}
