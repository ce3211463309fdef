/**
 * A registry change: the `original` of a `registry` log entry (spec section 4: "registry changes (device
 * enrolled, key rotated, assigned, suspended), whose original is a CBOR map describing the change"). The
 * format is documented for auditors in docs/gateway.md ("Registry entries"):
 *
 *   { "v": 1, "op": <text>, "dev": <device id>, ...fields of the op..., "by"?: <text> }
 *
 *   op               fields
 *   enroll           "kind" text, "public_key" bstr(32) / null, "transports" [text], "subject" text / null
 *                    (null: enrolled without a key, a device that cannot sign; issue 6, an additive extension:
 *                    every earlier enrolment, with its bstr, decodes as before)
 *   rotate-key       "public_key" bstr(32) (also gives a key to a device enrolled without one)
 *   assign           "subject" text / null (null: unassigned)
 *   set-transports   "transports" [text]
 *   set-ble          "ble_address" text / null, "ble_name" text / null (how a BLE device is recognised;
 *                    both null: no longer)
 *   suspend, resume, retire   (none)
 *
 * `by` says through which channel the change was made (`cli`, or `admin-api:<token id>`): the operator side
 * of the audit trail (21 CFR 11.10(e)), never a person's name. Keys are written in the order above, as a
 * CBOR map with text keys (encodeCbor: definite lengths, shortest heads).
 */
import {
  assertEd25519PublicKey,
  decodeCborStrict,
  encodeCbor,
  isCborMap,
  isDeviceId,
  type CborEncodable,
  type CborValue,
} from '@trialgate/firmware-protocol';
import { DEVICE_TRANSPORTS, type DeviceTransport } from './device-record.js';
import { RegistryError } from './registry-error.js';

export const REGISTRY_CHANGE_VERSION = 1;

export type RegistryChange = RegistryChangeBody & { readonly by?: string };

export type RegistryChangeBody =
  | {
      readonly op: 'enroll';
      readonly dev: string;
      readonly kind: string;
      /** Null: the device has no key (it cannot sign; device-record.ts). */
      readonly publicKey: Uint8Array | null;
      readonly transports: readonly DeviceTransport[];
      readonly subject: string | null;
    }
  | { readonly op: 'rotate-key'; readonly dev: string; readonly publicKey: Uint8Array }
  | { readonly op: 'assign'; readonly dev: string; readonly subject: string | null }
  | { readonly op: 'set-transports'; readonly dev: string; readonly transports: readonly DeviceTransport[] }
  | { readonly op: 'set-ble'; readonly dev: string; readonly bleAddress: string | null; readonly bleName: string | null }
  | { readonly op: 'suspend' | 'resume' | 'retire'; readonly dev: string };

export type RegistryOp = RegistryChange['op'];

/** A device kind: a short lower-case word the site chooses (`wearable`, `bp-cuff`, `dispenser`). */
export const DEVICE_KIND_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * A pseudonymous subject id, as the trial's randomisation or subject-allocation system issues it. The
 * pattern admits no spaces and no '@', so a name or an e-mail address cannot be typed in by mistake; it
 * cannot, of course, recognise every direct identifier, which is why docs/gateway.md says what belongs here.
 */
export const SUBJECT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const BY_PATTERN = /^[\x21-\x7E]{1,128}$/;

export function assertDeviceKind(kind: unknown): asserts kind is string {
  if (typeof kind !== 'string' || !DEVICE_KIND_PATTERN.test(kind)) {
    throw new RegistryError('E_REGISTRY_INVALID', `a device kind must match ${DEVICE_KIND_PATTERN.source} (e.g. wearable, bp-cuff, dispenser)`, {
      details: { field: 'kind' },
    });
  }
}

export function assertSubjectId(subject: unknown): asserts subject is string | null {
  if (subject !== null && (typeof subject !== 'string' || !SUBJECT_ID_PATTERN.test(subject))) {
    throw new RegistryError(
      'E_REGISTRY_INVALID',
      `a subject id must be the trial's pseudonymous subject id matching ${SUBJECT_ID_PATTERN.source}, never a name or other direct identifier`,
      { details: { field: 'subject' } },
    );
  }
}

export function assertRegistryDeviceId(id: unknown): asserts id is string {
  if (!isDeviceId(id)) {
    throw new RegistryError('E_REGISTRY_INVALID', 'a device id must match ^[A-Za-z0-9._-]{1,64}$ (spec section 1)', {
      details: { field: 'id' },
    });
  }
}

export function assertDevicePublicKey(publicKey: unknown): asserts publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array)) {
    throw new RegistryError('E_REGISTRY_INVALID', 'a public key must be 32 bytes', { details: { field: 'public_key' } });
  }
  try {
    assertEd25519PublicKey(publicKey);
  } catch (cause) {
    throw new RegistryError('E_REGISTRY_INVALID', `not a usable Ed25519 public key: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      details: { field: 'public_key' },
    });
  }
}

export function assertTransports(transports: unknown): asserts transports is readonly DeviceTransport[] {
  if (
    !Array.isArray(transports) ||
    transports.length === 0 ||
    transports.some((t) => !(DEVICE_TRANSPORTS as readonly unknown[]).includes(t)) ||
    new Set(transports).size !== transports.length
  ) {
    throw new RegistryError('E_REGISTRY_INVALID', `transports must be a non-empty list of distinct values from ${DEVICE_TRANSPORTS.join(', ')}`, {
      details: { field: 'transports' },
    });
  }
}

/** A Bluetooth device address as the registry keeps it: six lower-case hex octets separated by ':'. */
export const BLE_ADDRESS_PATTERN = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** An advertised local name: 1-29 printable ASCII characters (an advertisement holds at most 29 name bytes). */
export const BLE_NAME_PATTERN = /^[\x20-\x7E]{1,29}$/;

export function assertBleIdentity(address: unknown, name: unknown): void {
  if (address !== null && (typeof address !== 'string' || !BLE_ADDRESS_PATTERN.test(address))) {
    throw new RegistryError('E_REGISTRY_INVALID', 'a BLE address is six lower-case hex octets, aa:bb:cc:dd:ee:ff', { details: { field: 'ble_address' } });
  }
  if (name !== null && (typeof name !== 'string' || !BLE_NAME_PATTERN.test(name))) {
    throw new RegistryError('E_REGISTRY_INVALID', 'a BLE name is 1-29 printable ASCII characters', { details: { field: 'ble_name' } });
  }
}

/** Checks a change built from operator input before it is logged; throws E_REGISTRY_INVALID. */
export function assertRegistryChange(change: RegistryChange): void {
  assertRegistryDeviceId(change.dev);
  if (change.by !== undefined && !BY_PATTERN.test(change.by)) {
    throw new RegistryError('E_REGISTRY_INVALID', '"by" must be 1-128 printable ASCII characters', { details: { field: 'by' } });
  }
  switch (change.op) {
    case 'enroll':
      assertDeviceKind(change.kind);
      if (change.publicKey !== null) assertDevicePublicKey(change.publicKey);
      assertTransports(change.transports);
      assertSubjectId(change.subject);
      return;
    case 'rotate-key':
      assertDevicePublicKey(change.publicKey);
      return;
    case 'assign':
      assertSubjectId(change.subject);
      return;
    case 'set-transports':
      assertTransports(change.transports);
      return;
    case 'set-ble':
      assertBleIdentity(change.bleAddress, change.bleName);
      return;
    case 'suspend':
    case 'resume':
    case 'retire':
      return;
  }
}

export function encodeRegistryChange(change: RegistryChange): Uint8Array {
  const map: Record<string, CborEncodable> = { v: REGISTRY_CHANGE_VERSION, op: change.op, dev: change.dev };
  switch (change.op) {
    case 'enroll':
      map['kind'] = change.kind;
      map['public_key'] = change.publicKey;
      map['transports'] = [...change.transports];
      map['subject'] = change.subject;
      break;
    case 'rotate-key':
      map['public_key'] = change.publicKey;
      break;
    case 'assign':
      map['subject'] = change.subject;
      break;
    case 'set-transports':
      map['transports'] = [...change.transports];
      break;
    case 'set-ble':
      map['ble_address'] = change.bleAddress;
      map['ble_name'] = change.bleName;
      break;
    case 'suspend':
    case 'resume':
    case 'retire':
      break;
  }
  if (change.by !== undefined) map['by'] = change.by;
  return encodeCbor(map);
}

const FIELDS_BY_OP: Readonly<Record<RegistryOp, readonly string[]>> = {
  enroll: ['kind', 'public_key', 'transports', 'subject'],
  'rotate-key': ['public_key'],
  assign: ['subject'],
  'set-transports': ['transports'],
  'set-ble': ['ble_address', 'ble_name'],
  suspend: [],
  resume: [],
  retire: [],
};

/**
 * Decodes the `original` of a `registry` entry.
 *
 * Attacker-controlled: these bytes come back from the log on disk and from proof bundles, which a verifier
 * does not trust; every field is checked, and only RegistryError (E_REGISTRY_ENTRY) or the strict CBOR
 * decoder's ProtocolError escape.
 */
export function decodeRegistryChange(original: Uint8Array): RegistryChange {
  const value = decodeCborStrict(original, { maxBytes: 4096, maxDepth: 4 });
  const fail = (why: string): never => {
    throw new RegistryError('E_REGISTRY_ENTRY', `not a registry change: ${why}`);
  };
  if (!isCborMap(value)) return fail('not a CBOR map');
  const op = value.get('op');
  if (value.get('v') !== REGISTRY_CHANGE_VERSION) return fail('unknown version');
  if (typeof op !== 'string' || !Object.hasOwn(FIELDS_BY_OP, op)) return fail('unknown op');
  const knownOp = op as RegistryOp;
  const allowed = new Set(['v', 'op', 'dev', 'by', ...FIELDS_BY_OP[knownOp]]);
  for (const key of value.keys()) if (typeof key !== 'string' || !allowed.has(key)) return fail(`unexpected key ${String(key).slice(0, 40)}`);
  const dev = value.get('dev');
  const by = value.get('by');
  if (by !== undefined && typeof by !== 'string') return fail('"by" is not text');
  const text = (v: CborValue): string | null => (typeof v === 'string' ? v : null);
  const bytes = (v: CborValue): Uint8Array | null => (v instanceof Uint8Array ? v : null);
  const list = (v: CborValue): readonly DeviceTransport[] | null =>
    Array.isArray(v) && v.every((t) => typeof t === 'string') ? (v as DeviceTransport[]) : null;
  const subjectOf = (v: CborValue | undefined): string | null | undefined => (v === null ? null : typeof v === 'string' ? v : undefined);

  let change: RegistryChange;
  const withBy = by === undefined ? {} : { by };
  const devId = text(dev ?? null) ?? fail('"dev" is not text');
  switch (knownOp) {
    case 'enroll': {
      const subject = subjectOf(value.get('subject'));
      // An explicit null is a device enrolled without a key; an absent key is not an enrolment we wrote.
      const publicKey = value.get('public_key');
      change = {
        op: knownOp,
        dev: devId,
        kind: text(value.get('kind') ?? null) ?? fail('"kind" is not text'),
        publicKey: publicKey === null ? null : (bytes(publicKey ?? null) ?? fail('"public_key" is not bytes or null')),
        transports: list(value.get('transports') ?? null) ?? fail('"transports" is not a list of text'),
        subject: subject === undefined ? fail('"subject" is not text or null') : subject,
        ...withBy,
      };
      break;
    }
    case 'rotate-key':
      change = { op: knownOp, dev: devId, publicKey: bytes(value.get('public_key') ?? null) ?? fail('"public_key" is not bytes'), ...withBy };
      break;
    case 'assign': {
      const subject = subjectOf(value.get('subject'));
      change = { op: knownOp, dev: devId, subject: subject === undefined ? fail('"subject" is not text or null') : subject, ...withBy };
      break;
    }
    case 'set-transports':
      change = { op: knownOp, dev: devId, transports: list(value.get('transports') ?? null) ?? fail('"transports" is not a list of text'), ...withBy };
      break;
    case 'set-ble': {
      const address = value.get('ble_address');
      const name = value.get('ble_name');
      if ((address !== null && typeof address !== 'string') || (name !== null && typeof name !== 'string')) return fail('"ble_address" and "ble_name" are text or null');
      change = { op: knownOp, dev: devId, bleAddress: address, bleName: name, ...withBy };
      break;
    }
    case 'suspend':
    case 'resume':
    case 'retire':
      change = { op: knownOp, dev: devId, ...withBy };
      break;
  }
  try {
    assertRegistryChange(change);
  } catch (cause) {
    return fail(cause instanceof Error ? cause.message : 'invalid field');
  }
  return change;
}
