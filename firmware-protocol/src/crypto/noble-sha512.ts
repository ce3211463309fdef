import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

/**
 * @noble/ed25519 v3 needs a synchronous SHA-512 for its synchronous API; we give it @noble/hashes' one.
 * Importing this module is what wires it, once, for every caller in the process.
 */
ed.hashes.sha512 ??= sha512;

export { ed };
