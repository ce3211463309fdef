import { decodeCborStrict, isCborMap } from '@trialgate/firmware-protocol';

/**
 * The device keys that `registry` entries of the log name (enrolments and key rotations), read from the
 * registry change format the gateway documents (docs/gateway.md, "Registry entries"):
 * `{"v": 1, "op": "enroll" | "rotate-key" | ..., "dev": <device id>, "public_key": bstr(32), ...}`; an
 * enrolment's `public_key` may be null (a device enrolled without a key, which cannot sign: it names no key).
 *
 * The spec (section 4) says only that a registry entry's original is "a CBOR map describing the change", so
 * this reading is a cross-check, not a rule: it returns nothing for a map it does not understand, and the
 * verifier reports what it learns as warnings and "not checked" notes, never as failures.
 *
 * Attacker-controlled: `original` comes from a bundle (but only after its inclusion was proven).
 */
export function registryKeyOf(original: Uint8Array, deviceId: string): Uint8Array | undefined | 'unreadable' {
  let value;
  try {
    value = decodeCborStrict(original, { maxBytes: original.length, maxDepth: 4 });
  } catch {
    return 'unreadable';
  }
  if (!isCborMap(value)) return 'unreadable';
  const op = value.get('op');
  const dev = value.get('dev');
  if (typeof op !== 'string' || typeof dev !== 'string') return 'unreadable';
  if (dev !== deviceId) return 'unreadable';
  if (op !== 'enroll' && op !== 'rotate-key') return undefined;
  const key = value.get('public_key');
  if (op === 'enroll' && key === null) return undefined;
  return key instanceof Uint8Array && key.length === 32 ? key : 'unreadable';
}
