/**
 * A signature worker thread (signature-worker-pool.ts): runs `checkSignedMessage` (COSE structure, kid, Ed25519
 * signature, payload, dev) on batches of a bundle's signed entries. Each key's verifier (its KeyObject) is
 * built once per worker, on first use.
 */
import { parentPort } from 'node:worker_threads';
import { createEd25519Verifier, type Ed25519Verifier } from '@trialgate/firmware-protocol';
import { checkSignedMessage } from './check-signed-message.js';
import { decodeSignatureBatch, encodeSignatureReply, type SignatureBatchMessage, type SignatureWorkerKeys } from './signature-batch-codec.js';

if (parentPort !== null) {
  const port = parentPort;
  let devices: SignatureWorkerKeys['devices'] = [];
  const verifiers = new Map<number, { readonly deviceId: string; readonly verifiers: readonly Ed25519Verifier[] }>();
  const verifiersOf = (slot: number): { readonly deviceId: string; readonly verifiers: readonly Ed25519Verifier[] } => {
    let entry = verifiers.get(slot);
    if (entry === undefined) {
      const [deviceId, keys] = devices[slot] ?? ['', []];
      entry = { deviceId, verifiers: keys.map((key) => createEd25519Verifier(key)) };
      verifiers.set(slot, entry);
    }
    return entry;
  };
  port.on('message', (message: SignatureWorkerKeys | SignatureBatchMessage) => {
    if (message.type === 'keys') {
      devices = message.devices;
      verifiers.clear();
      return;
    }
    const outcomes = decodeSignatureBatch(message.buffer).map((request) => {
      const device = verifiersOf(request.slot);
      return checkSignedMessage(request.original, device.deviceId, device.verifiers);
    });
    const reply = encodeSignatureReply(message.id, outcomes);
    port.postMessage(reply, [reply.seqs.buffer as ArrayBuffer]);
  });
}
