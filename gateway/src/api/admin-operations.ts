/**
 * What an operator can do to a gateway's registry and read of its quarantine, as plain JSON-ready data.
 * One interface, two ways in: `createLocalAdminOperations` works on an opened data directory (a stopped
 * gateway's, through the CLI; or the running gateway's own, behind its admin routes), `AdminClient`
 * (admin-client.ts) sends the same requests to a running gateway. The log has one writer, so the CLI uses
 * the first only when no gateway runs on the directory (admin-open.ts).
 *
 * Public keys travel as standard base64; times as ISO 8601 (UTC) beside the log index.
 */
import type { DeviceRecord, DeviceStatus, DeviceTransport } from '../registry/device-record.js';
import { decodePublicKeyText, encodePublicKeyText } from '../registry/public-key-text.js';
import type { ImportDevicesOutcome, RegistryAdmin, RegistryChangeOutcome } from '../registry/registry-admin.js';
import { RegistryError } from '../registry/registry-error.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { QuarantineRecord } from '../storage/gateway-log.js';
import type { QuarantineFilter, QuarantineQuery } from '../storage/quarantine-query.js';

export interface DeviceView {
  readonly id: string;
  readonly kind: string;
  /** Null: enrolled without a key (a device that cannot sign; only its BLE GATT values are logged). */
  readonly public_key: string | null;
  readonly transports: readonly DeviceTransport[];
  readonly status: DeviceStatus;
  readonly subject: string | null;
  readonly enrolled_index: number;
  readonly enrolled_at: string;
  readonly updated_index: number;
  readonly updated_at: string;
  readonly key_since_index: number;
  /** BLE address and advertised name the device is recognised by (set-ble), when set. */
  readonly ble?: { readonly address: string | null; readonly name: string | null };
}

export interface DeviceDetailsView extends DeviceView {
  readonly keys: readonly { readonly public_key: string; readonly since_index: number; readonly until_index: number | null }[];
  readonly changes: readonly {
    readonly index: number;
    readonly op: string;
    readonly at: string;
    readonly by: string | null;
    readonly applied: boolean;
    readonly error: string | null;
  }[];
}

export interface DeviceChangeView {
  readonly device: DeviceView;
  /** Log index of the `registry` entry that records the change. */
  readonly index: number;
}

export interface EnrollDeviceRequest {
  readonly id: string;
  /** Absent or null: a device that cannot sign; it may use only `ble` (the default for it). */
  readonly public_key?: string | null;
  readonly kind: string;
  readonly subject?: string | null;
  readonly transports?: readonly DeviceTransport[];
}

export type DeviceChangeRequest =
  | { readonly op: 'suspend' | 'resume' | 'retire' }
  | { readonly op: 'rotate-key'; readonly public_key: string }
  | { readonly op: 'assign'; readonly subject: string | null }
  | { readonly op: 'set-transports'; readonly transports: readonly DeviceTransport[] }
  | { readonly op: 'set-ble'; readonly address?: string | null; readonly name?: string | null };

export interface ListDevicesRequest {
  readonly status?: DeviceStatus;
  readonly kind?: string;
  readonly subject?: string;
}

export interface QuarantineView {
  readonly id: number;
  readonly received_at: string;
  readonly received_at_ms: number;
  readonly transport: string;
  readonly device: string | null;
  readonly source: string | null;
  readonly reason: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly original_bytes: number;
  /** Base64 of the bytes as received; only when asked for (they may hold a reading). */
  readonly original?: string;
}

export interface ListQuarantineRequest extends QuarantineFilter {
  readonly withOriginal?: boolean;
}

export interface AdminOperations {
  listDevices(request?: ListDevicesRequest): Promise<DeviceView[]>;
  showDevice(id: string): Promise<DeviceDetailsView>;
  enrollDevice(request: EnrollDeviceRequest, by: string): Promise<DeviceChangeView>;
  importDevices(text: string, by: string): Promise<ImportDevicesOutcome>;
  changeDevice(id: string, change: DeviceChangeRequest, by: string): Promise<DeviceChangeView>;
  listQuarantine(request?: ListQuarantineRequest): Promise<QuarantineView[]>;
  quarantineCounts(): Promise<Record<string, number>>;
}

export interface LocalAdminDependencies {
  readonly admin: RegistryAdmin;
  readonly store: RegistryStore;
  readonly quarantine: QuarantineQuery;
}

export function createLocalAdminOperations(deps: LocalAdminDependencies): AdminOperations {
  const changed = (outcome: RegistryChangeOutcome): DeviceChangeView => ({ device: deviceView(outcome.record), index: outcome.index });
  return {
    listDevices: (request = {}) => wrap(() => deps.store.list(definedOnly(request)).map(deviceView)),
    showDevice: (id) =>
      wrap(() => {
        const record = deps.store.get(id);
        if (record === undefined) throw new RegistryError('E_REGISTRY_UNKNOWN_DEVICE', `device ${id} is not enrolled`, { details: { device: id } });
        return {
          ...deviceView(record),
          keys: deps.store.keyHistory(id).map((k) => ({ public_key: encodePublicKeyText(k.publicKey), since_index: k.sinceIndex, until_index: k.untilIndex })),
          changes: deps.store.changes(id).map((c) => ({ index: c.index, op: c.op, at: iso(c.atMs), by: c.by, applied: c.applied, error: c.error })),
        };
      }),
    enrollDevice: async (request, by) => {
      const publicKeyText = request.public_key ?? null;
      const publicKey = publicKeyText === null ? null : decodePublicKeyText(stringField(publicKeyText, 'public_key'));
      return changed(
        await deps.admin.enroll(
          {
            id: stringField(request.id, 'id'),
            kind: stringField(request.kind, 'kind'),
            publicKey,
            subject: request.subject ?? null,
            ...(request.transports === undefined ? {} : { transports: request.transports }),
          },
          by,
        ),
      );
    },
    importDevices: (text, by) => deps.admin.importDevices(text, by),
    changeDevice: async (id, change, by) => {
      switch (change.op) {
        case 'suspend':
          return changed(await deps.admin.suspend(id, by));
        case 'resume':
          return changed(await deps.admin.resume(id, by));
        case 'retire':
          return changed(await deps.admin.retire(id, by));
        case 'rotate-key':
          return changed(await deps.admin.rotateKey(id, decodePublicKeyText(stringField(change.public_key, 'public_key')), by));
        case 'assign':
          return changed(await deps.admin.assign(id, change.subject, by));
        case 'set-transports':
          return changed(await deps.admin.setTransports(id, change.transports, by));
        case 'set-ble':
          return changed(await deps.admin.setBle(id, change.address ?? null, change.name ?? null, by));
        default:
          throw new RegistryError('E_REGISTRY_INVALID', 'unknown change');
      }
    },
    listQuarantine: (request = {}) =>
      wrap(() => {
        const { withOriginal, ...filter } = request;
        return deps.quarantine.listQuarantine(filter).map((record) => quarantineView(record, withOriginal === true));
      }),
    quarantineCounts: () => wrap(() => deps.quarantine.countQuarantineByReason()),
  };
}

export function deviceView(record: DeviceRecord): DeviceView {
  return {
    id: record.id,
    kind: record.kind,
    public_key: record.publicKey === null ? null : encodePublicKeyText(record.publicKey),
    transports: record.transports,
    status: record.status,
    subject: record.subject,
    enrolled_index: record.enrolledIndex,
    enrolled_at: iso(record.enrolledAtMs),
    updated_index: record.updatedIndex,
    updated_at: iso(record.updatedAtMs),
    key_since_index: record.keySinceIndex,
    ...(record.ble === undefined ? {} : { ble: record.ble }),
  };
}

export function quarantineView(record: QuarantineRecord, withOriginal: boolean): QuarantineView {
  return {
    id: record.id,
    received_at: iso(record.receivedAtMs),
    received_at_ms: record.receivedAtMs,
    transport: record.transport,
    device: record.claimedDeviceId,
    source: record.source,
    reason: record.reason,
    message: record.message,
    details: record.details,
    original_bytes: record.original.length,
    ...(withOriginal ? { original: Buffer.from(record.original).toString('base64') } : {}),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function stringField(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new RegistryError('E_REGISTRY_INVALID', `"${field}" must be a text`, { details: { field } });
  return value;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Runs a synchronous query as a promise, so a throw becomes a rejection like the remote client's. */
function wrap<T>(body: () => T): Promise<T> {
  return Promise.resolve().then(body);
}
