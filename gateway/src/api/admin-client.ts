/**
 * `AdminOperations` sent to a running gateway's admin routes, over its local admin socket (admin-socket.ts).
 * Errors come back as the gateway raised them: a TrialgateError with the same code, message and details
 * (admin-socket-request.ts).
 */
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
import { adminSocketRequest } from './admin-socket-request.js';

export function createAdminClient(socketPath: string): AdminOperations {
  const call = adminSocketRequest(socketPath);
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
