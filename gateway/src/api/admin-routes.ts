/**
 * The admin routes, a plain node:http handler so that any server can mount them: the gateway's HTTP API
 * (behind an API token with the admin scope) and the gateway's local admin socket (admin-socket.ts), which
 * the CLI uses on a running gateway.
 *
 *   GET  /admin/devices[?status=&kind=&subject=]      list
 *   POST /admin/devices                              enrol   {id, public_key?, kind, subject?, transports?}
 *                                                    (public_key absent or null: a device that cannot sign)
 *   POST /admin/devices/import                       import  (body: the JSON-lines file, all or nothing)
 *   GET  /admin/devices/{id}                         show, with key history and registry changes
 *   POST /admin/devices/{id}/{op}                    suspend | resume | retire (no body),
 *                                                    rotate-key {public_key}, assign {subject},
 *                                                    set-transports {transports}, set-ble {address, name}
 *   GET  /admin/quarantine[?reason=&device=&transport=&from=&to=&after=&limit=&original=1]
 *   GET  /admin/quarantine/counts
 *
 * Responses are JSON; errors are `{"error": {"code", "message", "details"}}` with 400 (bad request), 404
 * (unknown device), 409 (does not apply to the device's state), 503 (storage) or 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { RegistryError } from '../registry/registry-error.js';
import type { DeviceStatus } from '../registry/device-record.js';
import type { AdminOperations, DeviceChangeRequest, EnrollDeviceRequest, ListQuarantineRequest } from './admin-operations.js';

export interface AdminRouteContext {
  /** Who makes registry changes through this request: `cli` or `admin-api:<token id>` (decided by the server). */
  readonly by: string;
}

/** Handles the request if it is an admin route (true), or leaves it to the caller (false). */
export type AdminRouteHandler = (request: IncomingMessage, response: ServerResponse, context: AdminRouteContext) => Promise<boolean>;

export const ADMIN_ROUTE_PREFIX = '/admin/';
const MAX_JSON_BODY = 64 * 1024;
const MAX_IMPORT_BODY = 32 * 1024 * 1024;
const CHANGE_OPS = new Set(['suspend', 'resume', 'retire', 'rotate-key', 'assign', 'set-transports', 'set-ble']);
const STATUSES = new Set(['active', 'suspended', 'retired']);

export function createAdminRoutes(operations: AdminOperations): AdminRouteHandler {
  return async (request, response, context) => {
    const url = new URL(request.url ?? '/', 'http://admin.invalid');
    if (!url.pathname.startsWith(ADMIN_ROUTE_PREFIX)) return false;
    const parts = url.pathname.slice(ADMIN_ROUTE_PREFIX.length).split('/').map(safeDecode);
    const method = request.method ?? 'GET';
    try {
      const result = await route(operations, method, parts, url.searchParams, request, context);
      if (result === NOT_FOUND) {
        send(response, 404, { error: { code: 'E_ADMIN_ROUTE', message: `no admin route ${method} ${url.pathname}`, details: {} } });
      } else {
        send(response, result.status, result.body);
      }
    } catch (error) {
      const status = statusOf(error);
      const body = isTrialgateError(error)
        ? { error: error.toJSON() }
        : { error: { code: 'E_ADMIN_INTERNAL', message: 'the request failed inside the gateway', details: {} } };
      send(response, status, body);
    }
    return true;
  };
}

const NOT_FOUND = Symbol('not found');

async function route(
  ops: AdminOperations,
  method: string,
  parts: readonly (string | null)[],
  query: URLSearchParams,
  request: IncomingMessage,
  context: AdminRouteContext,
): Promise<{ status: number; body: unknown } | typeof NOT_FOUND> {
  const [first, second, third, ...rest] = parts;
  if (rest.length > 0 || parts.some((p) => p === null)) return NOT_FOUND;
  if (first === 'devices') {
    if (second === undefined && method === 'GET') {
      const status = query.get('status');
      if (status !== null && !STATUSES.has(status)) throw badRequest('status must be active, suspended or retired');
      return ok(
        await ops.listDevices({
          ...(status === null ? {} : { status: status as DeviceStatus }),
          ...optional('kind', query.get('kind')),
          ...optional('subject', query.get('subject')),
        }),
      );
    }
    if (second === undefined && method === 'POST') {
      return { status: 201, body: await ops.enrollDevice(await jsonBody<EnrollDeviceRequest>(request), context.by) };
    }
    if (second === 'import' && third === undefined && method === 'POST') {
      return ok(await ops.importDevices(await textBody(request, MAX_IMPORT_BODY), context.by));
    }
    if (typeof second === 'string' && third === undefined && method === 'GET') return ok(await ops.showDevice(second));
    if (typeof second === 'string' && typeof third === 'string' && CHANGE_OPS.has(third) && method === 'POST') {
      const body = third === 'suspend' || third === 'resume' || third === 'retire' ? {} : await jsonBody<Record<string, unknown>>(request);
      return ok(await ops.changeDevice(second, { ...body, op: third } as DeviceChangeRequest, context.by));
    }
    return NOT_FOUND;
  }
  if (first === 'quarantine' && method === 'GET') {
    if (second === 'counts' && third === undefined) return ok(await ops.quarantineCounts());
    if (second !== undefined) return NOT_FOUND;
    const filter: ListQuarantineRequest = {
      ...optional('reason', query.get('reason')),
      ...optional('claimedDeviceId', query.get('device')),
      ...optional('transport', query.get('transport')),
      ...optionalNumber('fromMs', query.get('from')),
      ...optionalNumber('toMs', query.get('to')),
      ...optionalNumber('afterId', query.get('after')),
      ...optionalNumber('limit', query.get('limit')),
      withOriginal: query.get('original') === '1',
    };
    return ok(await ops.listQuarantine(filter));
  }
  return NOT_FOUND;
}

function ok(body: unknown): { status: number; body: unknown } {
  return { status: 200, body };
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

function optionalNumber<K extends string>(key: K, value: string | null): Partial<Record<K, number>> {
  if (value === null || value === '') return {};
  if (!/^\d{1,16}$/.test(value)) throw badRequest(`${key} must be a whole number`);
  return { [key]: Number(value) } as Record<K, number>;
}

// Attacker-controlled (when mounted on the HTTP API): the body. Bounded, then strict JSON.
async function textBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > limit) throw badRequest(`the request body is larger than ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function jsonBody<T>(request: IncomingMessage): Promise<T> {
  const text = await textBody(request, MAX_JSON_BODY);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('the request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the request body must be a JSON object');
  return value as T;
}

function badRequest(message: string): RegistryError {
  return new RegistryError('E_REGISTRY_INVALID', message);
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function statusOf(error: unknown): number {
  if (!isTrialgateError(error)) return 500;
  switch (error.code) {
    case 'E_REGISTRY_UNKNOWN_DEVICE':
      return 404;
    case 'E_REGISTRY_DEVICE_EXISTS':
    case 'E_REGISTRY_TRANSITION':
      return 409;
    case 'E_REGISTRY_INVALID':
    case 'E_REGISTRY_IMPORT':
      return 400;
    default:
      return error.code.startsWith('E_STORAGE_') ? 503 : 500;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}
