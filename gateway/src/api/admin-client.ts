/**
 * `AdminOperations` sent to a running gateway's admin routes, over its local admin socket (admin-socket.ts).
 * Errors come back as the gateway raised them: a TrialgateError with the same code, message and details.
 */
import { request as httpRequest } from 'node:http';
import { TrialgateError } from '@trialgate/firmware-protocol';
import type { ImportDevicesOutcome } from '../registry/registry-admin.js';
import type {
  AdminOperations,
  DeviceChangeRequest,
  DeviceChangeView,
  DeviceDetailsView,
  DeviceView,
  EnrollDeviceRequest,
  ListDevicesRequest,
  ListQuarantineRequest,
  QuarantineView,
} from './admin-operations.js';

export function createAdminClient(socketPath: string): AdminOperations {
  const call = <T>(method: string, route: string, body?: string): Promise<T> =>
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
  const query = (params: Record<string, string | number | boolean | undefined>): string => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== false) search.set(key, value === true ? '1' : String(value));
    const text = search.toString();
    return text === '' ? '' : `?${text}`;
  };
  const device = (id: string): string => `/admin/devices/${encodeURIComponent(id)}`;
  return {
    listDevices: (request: ListDevicesRequest = {}) => call<DeviceView[]>('GET', `/admin/devices${query({ ...request })}`),
    showDevice: (id) => call<DeviceDetailsView>('GET', device(id)),
    enrollDevice: (request: EnrollDeviceRequest) => call<DeviceChangeView>('POST', '/admin/devices', JSON.stringify(request)),
    importDevices: (text) => call<ImportDevicesOutcome>('POST', '/admin/devices/import', text),
    changeDevice: (id, change: DeviceChangeRequest) => {
      const { op, ...body } = change;
      return call<DeviceChangeView>('POST', `${device(id)}/${op}`, JSON.stringify(body));
    },
    listQuarantine: (request: ListQuarantineRequest = {}) =>
      call<QuarantineView[]>(
        'GET',
        `/admin/quarantine${query({
          reason: request.reason,
          device: request.claimedDeviceId,
          transport: request.transport,
          from: request.fromMs,
          to: request.toMs,
          after: request.afterId,
          limit: request.limit,
          original: request.withOriginal,
        })}`,
      ),
    quarantineCounts: () => call<Record<string, number>>('GET', '/admin/quarantine/counts'),
  };
}
