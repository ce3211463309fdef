/**
 * RFC 9052 section 4.4's `Sig_structure = ["Signature1", protected, h'', payload]` (spec section 2), written
 * into a buffer this thread reuses, for the signature check of every device message on the check workers.
 * The bytes are exactly `coseSigStructure`'s (firmware-protocol, the definition): a differential property
 * test pins that. The view returned is valid until the next call on the same thread; node:crypto's verify
 * reads it synchronously, so nothing else sees it change.
 *
 *   84 6a "Signature1" <bstr head> protected 40 <bstr head> payload   (preferred heads, RFC 8949 section 4.1)
 */
const PREFIX = Uint8Array.from([0x84, 0x6a, ...new TextEncoder().encode('Signature1')]);
/** Larger structures are built in a buffer of their own rather than growing the shared one without end. */
const KEEP_BYTES = 64 * 1024;

let scratch = new Uint8Array(1024);

function headLength(length: number): number {
  return length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : length < 0x1_0000_0000 ? 5 : 9;
}

function writeBstrHead(target: Uint8Array, at: number, length: number): number {
  if (length < 24) {
    target[at] = 0x40 | length;
    return at + 1;
  }
  if (length < 0x100) {
    target[at] = 0x58;
    target[at + 1] = length;
    return at + 2;
  }
  if (length < 0x10000) {
    target[at] = 0x59;
    target[at + 1] = length >>> 8;
    target[at + 2] = length & 0xff;
    return at + 3;
  }
  if (length < 0x1_0000_0000) {
    target[at] = 0x5a;
    target[at + 1] = length >>> 24;
    target[at + 2] = (length >>> 16) & 0xff;
    target[at + 3] = (length >>> 8) & 0xff;
    target[at + 4] = length & 0xff;
    return at + 5;
  }
  target[at] = 0x5b;
  const high = Math.floor(length / 0x1_0000_0000);
  for (let i = 0; i < 4; i += 1) target[at + 1 + i] = (high >>> (24 - 8 * i)) & 0xff;
  for (let i = 0; i < 4; i += 1) target[at + 5 + i] = (length >>> (24 - 8 * i)) & 0xff;
  return at + 9;
}

/** The Sig_structure of a COSE_Sign1 with these protected-header and payload bytes (as received). */
export function sigStructureView(protectedBytes: Uint8Array, payloadBytes: Uint8Array): Uint8Array {
  const size = PREFIX.length + headLength(protectedBytes.length) + protectedBytes.length + 1 + headLength(payloadBytes.length) + payloadBytes.length;
  let target = scratch;
  if (size > target.length) {
    target = new Uint8Array(Math.max(size, target.length * 2));
    if (target.length <= KEEP_BYTES) scratch = target;
  }
  target.set(PREFIX, 0);
  let at = writeBstrHead(target, PREFIX.length, protectedBytes.length);
  target.set(protectedBytes, at);
  at += protectedBytes.length;
  target[at] = 0x40;
  at = writeBstrHead(target, at + 1, payloadBytes.length);
  target.set(payloadBytes, at);
  return target.subarray(0, at + payloadBytes.length);
}
