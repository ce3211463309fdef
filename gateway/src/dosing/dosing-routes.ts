/**
 * The dose-schedule admin routes, a node:http handler mounted beside the registry's (api/admin-routes.ts) on
 * the gateway's admin socket and HTTP API:
 *
 *   GET    /admin/schedules              every device's current schedule
 *   GET    /admin/schedules/{id}         one device's schedule, its history, recent downlinks and dose events
 *   PUT    /admin/schedules/{id}         set: {doses: [{slot, at}], tz?, window_min?, remind_min?}
 *   DELETE /admin/schedules/{id}         clear
 *
 * Errors are `{"error": {"code", "message", "details"}}` with 400 (invalid), 404 (unknown device or no
 * schedule), 503 (storage) or 500. Requests that are not these routes are left to the next handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type { AdminRouteContext, AdminRouteHandler } from '../api/admin-routes.js';
import { DosingError } from './dosing-error.js';
import type { DosingOperations, SetScheduleRequest } from './dosing-operations.js';

export const SCHEDULE_ROUTE_PREFIX = '/admin/schedules';
const MAX_BODY = 64 * 1024;

export function createDosingRoutes(operations: DosingOperations): AdminRouteHandler {
  return async (request: IncomingMessage, response: ServerResponse, context: AdminRouteContext) => {
    const url = new URL(request.url ?? '/', 'http://admin.invalid');
    if (url.pathname !== SCHEDULE_ROUTE_PREFIX && !url.pathname.startsWith(`${SCHEDULE_ROUTE_PREFIX}/`)) return false;
    const rest = url.pathname.slice(SCHEDULE_ROUTE_PREFIX.length + 1);
    const method = request.method ?? 'GET';
    try {
      let device: string | null = null;
      if (rest !== '') {
        if (rest.includes('/')) return notFound(response, method, url.pathname);
        device = decodeURIComponent(rest);
      }
      if (device === null && method === 'GET') return send(response, 200, await operations.listSchedules());
      if (device !== null && method === 'GET') return send(response, 200, await operations.showSchedule(device));
      if (device !== null && method === 'PUT') return send(response, 200, await operations.setSchedule(device, await jsonBody(request), context.by));
      if (device !== null && method === 'DELETE') return send(response, 200, await operations.clearSchedule(device, context.by));
      return notFound(response, method, url.pathname);
    } catch (error) {
      const body = isTrialgateError(error) ? { error: error.toJSON() } : { error: { code: 'E_ADMIN_INTERNAL', message: 'the request failed inside the gateway', details: {} } };
      return send(response, statusOf(error), body);
    }
  };
}

/** Tries each handler in turn (the dosing routes, then the registry's). */
export function chainAdminRoutes(...handlers: readonly AdminRouteHandler[]): AdminRouteHandler {
  return async (request, response, context) => {
    for (const handler of handlers) if (await handler(request, response, context)) return true;
    return false;
  };
}

// Attacker-controlled (when mounted on the HTTP API): the body. Bounded, then strict JSON; the schedule is
// checked field by field by the dosing admin.
async function jsonBody(request: IncomingMessage): Promise<SetScheduleRequest> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > MAX_BODY) throw new DosingError('E_DOSING_INVALID', `the request body is larger than ${MAX_BODY} bytes`);
    chunks.push(buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DosingError('E_DOSING_INVALID', 'the request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DosingError('E_DOSING_INVALID', 'the request body must be a JSON object');
  return value as SetScheduleRequest;
}

function statusOf(error: unknown): number {
  if (!isTrialgateError(error)) return 500;
  if (error.code === 'E_DOSING_INVALID') return 400;
  if (error.code === 'E_DOSING_UNKNOWN_DEVICE') return 404;
  return error.code.startsWith('E_STORAGE_') ? 503 : 500;
}

function notFound(response: ServerResponse, method: string, path: string): true {
  return send(response, 404, { error: { code: 'E_ADMIN_ROUTE', message: `no admin route ${method} ${path}`, details: {} } });
}

function send(response: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
  return true;
}
