/** Independent implementation (acceptance tests): C2SP signed-note and tlog-checkpoint with Ed25519. */
import { createHash } from 'node:crypto';
import type { KeyPair } from './ed25519.js';

export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(Buffer.from(name, 'utf8')).update(Uint8Array.of(0x0a, 0x01)).update(publicKey).digest();
  return new Uint8Array(digest.subarray(0, 4));
}

export function verifierKey(name: string, publicKey: Uint8Array): string {
  return `${name}+${Buffer.from(keyId(name, publicKey)).toString('hex')}+${Buffer.concat([Uint8Array.of(1), publicKey]).toString('base64')}`;
}

export function checkpointBody(origin: string, size: number, root: Uint8Array): string {
  return `${origin}\n${size}\n${Buffer.from(root).toString('base64')}\n`;
}

/** `text` + blank line + one `— name base64(keyid || sig)` line per signer. */
export function signNote(text: string, signers: readonly { name: string; key: KeyPair }[]): string {
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map(({ name, key }) => {
    const sig = Buffer.concat([keyId(name, key.publicKey), key.sign(message)]).toString('base64');
    return `\u2014 ${name} ${sig}\n`;
  });
  return `${text}\n${lines.join('')}`;
}
