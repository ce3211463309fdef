/**
 * Changes to the registry: each is checked against the current state with the registry's own state machine,
 * then appended to the log as a `registry` entry (spec section 4) and applied by the projection and the
 * in-memory view when it commits. The log has one writer (the gateway process, or the CLI on a stopped
 * gateway's directory), and changes are serialised here, so a check and its append cannot interleave with
 * another change.
 */
import type { Clock } from '../clock.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { applyRegistryChange, KEYLESS_DEVICE_TRANSPORTS } from './apply-registry-change.js';
import type { DeviceRecord, DeviceTransport } from './device-record.js';
import type { RegistryLookup } from './device-registry.js';
import { parseDeviceImport, type DeviceImportProblem } from './parse-device-import.js';
import { assertRegistryChange, type RegistryChange, type RegistryChangeBody } from './registry-change.js';
import { registryEntry } from './registry-entry.js';
import { RegistryError } from './registry-error.js';

/** Transports a device may use when enrolment does not say: MQTT only (least privilege). */
export const DEFAULT_DEVICE_TRANSPORTS: readonly DeviceTransport[] = ['mqtt'];

/**
 * The default for a device enrolled without a key: BLE only, the one transport it can use (its standard GATT
 * values, attested by the gateway; apply-registry-change.ts).
 */
export const DEFAULT_KEYLESS_DEVICE_TRANSPORTS: readonly DeviceTransport[] = KEYLESS_DEVICE_TRANSPORTS;

/** The transports an enrolment gets when it names none. */
export function defaultTransportsFor(publicKey: Uint8Array | null): readonly DeviceTransport[] {
  return publicKey === null ? DEFAULT_KEYLESS_DEVICE_TRANSPORTS : DEFAULT_DEVICE_TRANSPORTS;
}

export interface EnrollDeviceInput {
  readonly id: string;
  readonly kind: string;
  /** Absent or null: a device that cannot sign (a standard BLE health device); it may use only `ble`. */
  readonly publicKey?: Uint8Array | null;
  readonly subject?: string | null;
  readonly transports?: readonly DeviceTransport[];
}

export interface RegistryChangeOutcome {
  readonly record: DeviceRecord;
  /** The log index of the change's `registry` entry. */
  readonly index: number;
}

export interface ImportDevicesOutcome {
  /** Devices enrolled by this import, with the index of each enrolment entry. */
  readonly enrolled: readonly { readonly id: string; readonly index: number }[];
  /** Devices already enrolled exactly as the file says (an import is safe to re-run). */
  readonly unchanged: readonly string[];
}

export interface RegistryAdminDependencies {
  readonly log: GatewayLog;
  readonly registry: RegistryLookup;
  readonly clock: Clock;
}

export class RegistryAdmin {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RegistryAdminDependencies) {}

  enroll(input: EnrollDeviceInput, by?: string): Promise<RegistryChangeOutcome> {
    const publicKey = input.publicKey ?? null;
    return this.change({
      op: 'enroll',
      dev: input.id,
      kind: input.kind,
      publicKey,
      transports: input.transports ?? defaultTransportsFor(publicKey),
      subject: input.subject ?? null,
    }, by);
  }

  suspend(id: string, by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'suspend', dev: id }, by);
  }

  resume(id: string, by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'resume', dev: id }, by);
  }

  retire(id: string, by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'retire', dev: id }, by);
  }

  rotateKey(id: string, publicKey: Uint8Array, by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'rotate-key', dev: id, publicKey }, by);
  }

  assign(id: string, subject: string | null, by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'assign', dev: id, subject }, by);
  }

  setTransports(id: string, transports: readonly DeviceTransport[], by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'set-transports', dev: id, transports }, by);
  }

  /** How the device is recognised over BLE: its address and/or advertised name (both null: no longer). */
  setBle(id: string, address: string | null, name: string | null, by?: string): Promise<RegistryChangeOutcome> {
    return this.change({ op: 'set-ble', dev: id, bleAddress: address, bleName: name }, by);
  }

  /** Applies one change: checked, logged, durable, and visible in the registry when this resolves. */
  change(body: RegistryChangeBody, by?: string): Promise<RegistryChangeOutcome> {
    return this.serialised(async () => {
      const change = this.checked(body, by);
      const index = await this.appendChange(change);
      return { record: this.current(change.dev), index };
    });
  }

  /**
   * Enrols every device of a JSON-lines file (parse-device-import.ts), all or nothing: the whole file is
   * checked first, against itself and the registry, and any bad line fails the import with every problem
   * named by line (E_REGISTRY_IMPORT, `details.problems`), before anything is logged. A device already
   * enrolled exactly as the line says is skipped, so an import interrupted by a crash can be re-run.
   */
  importDevices(text: string, by?: string): Promise<ImportDevicesOutcome> {
    return this.serialised(async () => {
      const parsed = parseDeviceImport(text);
      const problems: DeviceImportProblem[] = [...parsed.problems];
      const changes: RegistryChange[] = [];
      const unchanged: string[] = [];
      for (const line of parsed.devices) {
        const transports = line.transports ?? defaultTransportsFor(line.publicKey);
        const existing = this.deps.registry.get(line.id);
        if (existing !== undefined) {
          const same =
            existing.kind === line.kind &&
            existing.subject === line.subject &&
            sameKey(existing.publicKey, line.publicKey) &&
            existing.transports.join(',') === transports.join(',');
          if (same) unchanged.push(line.id);
          else problems.push({ line: line.line, message: `device ${line.id} is already enrolled (status ${existing.status}) with other details` });
          continue;
        }
        try {
          changes.push(
            this.checked({ op: 'enroll', dev: line.id, kind: line.kind, publicKey: line.publicKey, transports, subject: line.subject }, by),
          );
        } catch (error) {
          problems.push({ line: line.line, message: error instanceof Error ? error.message : 'invalid' });
        }
      }
      if (problems.length > 0) {
        problems.sort((a, b) => a.line - b.line);
        throw new RegistryError(
          'E_REGISTRY_IMPORT',
          `import refused, nothing was changed: ${problems.length} bad line(s)`,
          { details: { problems } },
        );
      }
      // Appended together, so they normally share one group commit (one fsync).
      const indexes = await Promise.all(changes.map((change) => this.appendChange(change)));
      return { enrolled: changes.map((change, i) => ({ id: change.dev, index: indexes[i] ?? -1 })), unchanged };
    });
  }

  private checked(body: RegistryChangeBody, by: string | undefined): RegistryChange {
    const change: RegistryChange = by === undefined ? body : { ...body, by };
    assertRegistryChange(change);
    // The same state machine the projection applies: a change that would not apply is never logged.
    applyRegistryChange(this.deps.registry.get(change.dev), change, { index: this.deps.log.size(), atMs: this.deps.clock.now() });
    return change;
  }

  private async appendChange(change: RegistryChange): Promise<number> {
    const outcome = await this.deps.log.append(registryEntry(change, this.deps.clock.now()));
    return outcome.index;
  }

  private current(id: string): DeviceRecord {
    const record = this.deps.registry.get(id);
    if (record === undefined) throw new RegistryError('E_REGISTRY_UNKNOWN_DEVICE', `device ${id} is not enrolled`);
    return record;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function sameKey(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
