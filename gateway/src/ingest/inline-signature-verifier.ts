/** Verifies on the calling thread: `--verify-workers 0`, and unit tests. */
import type { SignatureVerifier, VerifyRequest } from './signature-verifier.js';
import { VerifierCache } from './verifier-cache.js';

export function createInlineSignatureVerifier(): SignatureVerifier {
  const cache = new VerifierCache();
  return {
    verify: (request: VerifyRequest) => Promise.resolve(cache.verify(request.publicKey, request.message, request.signature)),
    close: () => Promise.resolve(),
  };
}
