/** `DosingOperations` sent to a running gateway's admin socket (dosing-routes.ts). */
import { adminSocketRequest } from '../api/admin-socket-request.js';
import type { DosingOperations, ScheduleChangeView, ScheduleDetailsView, ScheduleView } from './dosing-operations.js';
import { SCHEDULE_ROUTE_PREFIX } from './dosing-routes.js';

export function createDosingClient(socketPath: string): DosingOperations {
  const call = adminSocketRequest(socketPath);
  const device = (id: string): string => `${SCHEDULE_ROUTE_PREFIX}/${encodeURIComponent(id)}`;
  return {
    listSchedules: () => call<ScheduleView[]>('GET', SCHEDULE_ROUTE_PREFIX),
    showSchedule: (id) => call<ScheduleDetailsView>('GET', device(id)),
    setSchedule: (id, request) => call<ScheduleChangeView>('PUT', device(id), JSON.stringify(request)),
    clearSchedule: (id) => call<ScheduleChangeView>('DELETE', device(id)),
  };
}
