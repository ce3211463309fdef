/**
 * The registry's state machine: one change applied to one device's record. A pure function, so the SQL
 * projection, the in-memory view the hot path reads and the admin's pre-check cannot disagree.
 *
 *   (none) --enroll--> active <--suspend / resume--> suspended
 *   active | suspended --retire--> retired (final: a retired device id is never reused, since its seq
 *   counter and audit trail belong to it)
 *   rotate-key, assign, set-transports, set-ble: on active or suspended devices
 *
 * A device without a public key (enrolled with `public_key` null: it cannot sign) may be allowed only the
 * transport `ble`, the one transport that carries unsigned values (spec section 3: GATT values are logged on the
 * gateway's attestation); MQTT needs a signed connect token and serial frames carry COSE_Sign1 messages. The
 * rule is kept here, by enrolment and by set-transports, so an operator learns it when enrolling rather than
 * from a quarantine list; `rotate-key` gives such a device a key, after which other transports may be set.
 */
import type { DeviceRecord, DeviceTransport } from './device-record.js';
import type { RegistryChange } from './registry-change.js';
import { RegistryError } from './registry-error.js';

export interface RegistryChangePosition {
  /** The log index of the `registry` entry. */
  readonly index: number;
  /** Its `receivedAtMs`, the gateway's clock when the change was made. */
  readonly atMs: number;
}

/** Returns the device's record after `change`; throws E_REGISTRY_* when the change does not apply. */
export function applyRegistryChange(
  current: DeviceRecord | undefined,
  change: RegistryChange,
  position: RegistryChangePosition,
): DeviceRecord {
  if (change.op === 'enroll') {
    if (current !== undefined) {
      throw new RegistryError('E_REGISTRY_DEVICE_EXISTS', `device ${change.dev} is already enrolled (status ${current.status}); a device id is enrolled once`, {
        details: { device: change.dev, status: current.status },
      });
    }
    if (change.publicKey === null) assertKeylessTransports(change.dev, change.transports, 'E_REGISTRY_INVALID');
    return {
      id: change.dev,
      kind: change.kind,
      publicKey: change.publicKey,
      transports: change.transports,
      status: 'active',
      subject: change.subject,
      enrolledIndex: position.index,
      enrolledAtMs: position.atMs,
      updatedIndex: position.index,
      updatedAtMs: position.atMs,
      keySinceIndex: position.index,
    };
  }
  if (current === undefined) {
    throw new RegistryError('E_REGISTRY_UNKNOWN_DEVICE', `device ${change.dev} is not enrolled`, { details: { device: change.dev } });
  }
  const refuse = (why: string): never => {
    throw new RegistryError('E_REGISTRY_TRANSITION', `cannot ${change.op} device ${change.dev}: ${why}`, {
      details: { device: change.dev, status: current.status, op: change.op },
    });
  };
  if (current.status === 'retired') refuse('it is retired');
  const touched = { updatedIndex: position.index, updatedAtMs: position.atMs };
  switch (change.op) {
    case 'suspend':
      if (current.status !== 'active') refuse(`it is ${current.status}`);
      return { ...current, ...touched, status: 'suspended' };
    case 'resume':
      if (current.status !== 'suspended') refuse(`it is ${current.status}`);
      return { ...current, ...touched, status: 'active' };
    case 'retire':
      return { ...current, ...touched, status: 'retired' };
    case 'rotate-key':
      if (current.publicKey !== null && equalBytes(current.publicKey, change.publicKey)) refuse('the new key is the current key');
      return { ...current, ...touched, publicKey: change.publicKey, keySinceIndex: position.index };
    case 'assign':
      if (current.subject === change.subject) refuse(change.subject === null ? 'it is not assigned' : `it is already assigned to ${change.subject}`);
      return { ...current, ...touched, subject: change.subject };
    case 'set-transports':
      if (current.publicKey === null) assertKeylessTransports(change.dev, change.transports, 'E_REGISTRY_TRANSITION');
      return { ...current, ...touched, transports: change.transports };
    case 'set-ble': {
      const { ble: _previous, ...rest } = current;
      if (change.bleAddress === null && change.bleName === null) return { ...rest, ...touched };
      return { ...rest, ...touched, ble: { address: change.bleAddress, name: change.bleName } };
    }
  }
}

/** The transports a device without a key may be allowed (see above). */
export const KEYLESS_DEVICE_TRANSPORTS: readonly DeviceTransport[] = ['ble'];

function assertKeylessTransports(dev: string, transports: readonly DeviceTransport[], code: 'E_REGISTRY_INVALID' | 'E_REGISTRY_TRANSITION'): void {
  const refused = transports.filter((t) => !KEYLESS_DEVICE_TRANSPORTS.includes(t));
  if (refused.length === 0) return;
  throw new RegistryError(
    code,
    `device ${dev} has no public key, so it cannot sign and may use only ${KEYLESS_DEVICE_TRANSPORTS.join(', ')} (not ${refused.join(', ')}): give it a key first (rotate-key) or allow ${KEYLESS_DEVICE_TRANSPORTS.join(', ')} only`,
    { details: { device: dev, field: 'transports', refused } },
  );
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
