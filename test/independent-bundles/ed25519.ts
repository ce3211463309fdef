/** Independent implementation (acceptance tests): Ed25519 through node:crypto only, keys from 32-byte seeds. */
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';

export interface KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function keyPairFromLabel(label: string): KeyPair {
  const seed = new Uint8Array(createHash('sha256').update(`independent/${label}`).digest());
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return { seed, publicKey, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}
