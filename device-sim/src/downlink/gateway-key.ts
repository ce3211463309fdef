import { createHash } from 'node:crypto';
import { createEd25519Verifier, type Ed25519Verifier } from '@trialgate/firmware-protocol';
import { SimError } from '../errors/sim-error.js';

export interface GatewayKey {
  /** The key name of a C2SP verifier key (the log origin), or undefined for a raw key. */
  readonly name: string | undefined;
  readonly publicKey: Uint8Array;
  readonly verifier: Ed25519Verifier;
}

/**
 * Reads the gateway's public key as a C2SP signed-note verifier key, `<name>+<8 hex key ID>+<base64(0x01 ||
 * public key)>` (spec section 5), checking the key ID against `SHA-256(name || 0x0A || 0x01 || key)`, or as
 * the standard base64 of the 32-byte key. Input from a command line or a file, checked once here.
 */
export function parseGatewayKey(text: string): GatewayKey {
  const trimmed = text.trim();
  // The name may not contain '+' (C2SP signed-note), but the base64 key may: split at the first two only.
  const first = trimmed.indexOf('+');
  const second = first < 0 ? -1 : trimmed.indexOf('+', first + 1);
  // A raw key is 44 base64 characters ending in '='; anything else must be a verifier key.
  if (trimmed.length !== 44) {
    if (second < 0) throw new SimError('E_SIM_GATEWAY_KEY_INVALID', 'gateway key: expected <name>+<8 hex digits>+<base64>');
    const name = trimmed.slice(0, first);
    const keyIdHex = trimmed.slice(first + 1, second);
    const encoded = trimmed.slice(second + 1);
    if (name.length === 0 || /\s/.test(name) || !/^[0-9a-f]{8}$/.test(keyIdHex)) {
      throw new SimError('E_SIM_GATEWAY_KEY_INVALID', 'gateway key: expected <name>+<8 hex digits>+<base64>');
    }
    const raw = decodeBase64(encoded);
    if (raw.length !== 33 || raw[0] !== 0x01) {
      throw new SimError('E_SIM_GATEWAY_KEY_INVALID', 'gateway key: the key must be 0x01 (Ed25519) and 32 bytes');
    }
    const publicKey = raw.subarray(1);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a]), raw]))
      .digest()
      .subarray(0, 4)
      .toString('hex');
    if (expected !== keyIdHex) {
      throw new SimError('E_SIM_GATEWAY_KEY_INVALID', `gateway key: key ID ${keyIdHex} does not match the key (${expected})`);
    }
    return { name, publicKey, verifier: verifierFor(publicKey) };
  }
  const publicKey = decodeBase64(trimmed);
  if (publicKey.length !== 32) {
    throw new SimError('E_SIM_GATEWAY_KEY_INVALID', 'gateway key: expected a C2SP verifier key or base64 of 32 bytes');
  }
  return { name: undefined, publicKey, verifier: verifierFor(publicKey) };
}

function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new SimError('E_SIM_GATEWAY_KEY_INVALID', 'gateway key: not standard base64');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function verifierFor(publicKey: Uint8Array): Ed25519Verifier {
  try {
    return createEd25519Verifier(publicKey);
  } catch (cause) {
    throw new SimError('E_SIM_GATEWAY_KEY_INVALID', 'gateway key: not a usable Ed25519 public key', { cause });
  }
}
