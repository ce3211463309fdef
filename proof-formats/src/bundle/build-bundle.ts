import { isDeviceId } from '@trialgate/firmware-protocol';
import { encodeBase64 } from '../encoding/canonical-base64.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { parseVerifierKey } from '../note/note-verifier.js';
import { splitNote } from '../note/signed-note.js';
import { parseCheckpointBody } from '../checkpoint/checkpoint-body.js';
import type { AnchorClaim } from '../anchor/anchor-verifier.js';
import { BUNDLE_FORMAT, type ProofBundle } from './proof-bundle.js';

export interface BuildBundleDevice {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly kind: string;
}

export interface BuildBundleCheckpoint {
  /** The signed note exactly as the gateway signed it. */
  readonly note: string;
  /** Final anchors only (a bundle's anchors are checked for finality; a pending one makes it inconclusive). */
  readonly anchors?: readonly AnchorClaim[];
}

export interface BuildBundleConsistencyProof {
  readonly fromSize: number;
  readonly toSize: number;
  readonly proof: readonly Uint8Array[];
}

export interface BuildBundleEntry {
  readonly index: number;
  /** The stored entry bytes. */
  readonly entry: Uint8Array;
  /** Position in `checkpoints`. */
  readonly checkpoint: number;
  readonly proof: readonly Uint8Array[];
}

export interface BuildBundleInput {
  readonly origin: string;
  /** The gateway's verifier key string (`NoteSigner.verifierKey`). */
  readonly gatewayKey: string;
  /**
   * Devices whose entries the bundle holds. A device listed twice, with two keys, is a key rotation: each of
   * its `cose-sign1` entries must verify under one of its keys (docs/proof-formats.md).
   */
  readonly devices: readonly BuildBundleDevice[];
  /** In increasing tree size. */
  readonly checkpoints: readonly BuildBundleCheckpoint[];
  /** One per pair of consecutive checkpoints with different sizes. */
  readonly consistency: readonly BuildBundleConsistencyProof[];
  readonly entries: readonly BuildBundleEntry[];
}

/**
 * Assembles a bundle (spec section 8) from binary parts. It checks what a producer can get wrong without
 * verifying signatures: the gateway key parses, checkpoint notes have checkpoint bodies of `origin` in
 * increasing size, consistency proofs connect consecutive checkpoints, entries point at existing checkpoints
 * that cover their index, device ids and keys are well-formed. Throws `E_BUNDLE_BUILD` otherwise.
 * `verifyBundle` is the real check.
 */
export function buildBundle(input: BuildBundleInput): ProofBundle {
  const fail = (why: string): never => {
    throw new ProofFormatError('E_BUNDLE_BUILD', `cannot build the bundle: ${why}`);
  };
  try {
    parseVerifierKey(input.gatewayKey);
  } catch {
    fail('gatewayKey is not a verifier key');
  }
  if (input.checkpoints.length === 0) fail('a bundle needs at least one checkpoint');
  const sizes = input.checkpoints.map((checkpoint, i) => {
    let size = 0;
    try {
      const body = parseCheckpointBody(splitNote(checkpoint.note).text);
      if (body.origin !== input.origin) fail(`checkpoint ${i} is of origin ${body.origin}`);
      size = body.treeSize;
    } catch (error) {
      if (error instanceof ProofFormatError && error.code === 'E_BUNDLE_BUILD') throw error;
      fail(`checkpoint ${i} is not a signed checkpoint note`);
    }
    return size;
  });
  sizes.forEach((size, i) => {
    const previous = sizes[i - 1];
    if (previous !== undefined && size < previous) fail(`checkpoint ${i} is smaller than checkpoint ${i - 1}`);
    if (previous !== undefined && previous > 0 && size > previous) {
      const has = input.consistency.some((c) => c.fromSize === previous && c.toSize === size);
      if (!has) fail(`no consistency proof from ${previous} to ${size}`);
    }
  });
  for (const device of input.devices) {
    if (!isDeviceId(device.id)) fail(`invalid device id ${JSON.stringify(device.id)}`);
    if (device.publicKey.length !== 32) fail(`the public key of ${device.id} is not 32 bytes`);
  }
  for (const entry of input.entries) {
    const size = sizes[entry.checkpoint];
    if (size === undefined) fail(`entry ${entry.index} points at checkpoint ${entry.checkpoint}, which does not exist`);
    if (entry.index >= (size ?? 0)) fail(`entry ${entry.index} is not covered by checkpoint ${entry.checkpoint}`);
  }
  return {
    format: BUNDLE_FORMAT,
    origin: input.origin,
    gateway_key: input.gatewayKey,
    devices: input.devices.map((d) => ({ id: d.id, public_key: encodeBase64(d.publicKey), kind: d.kind })),
    checkpoints: input.checkpoints.map((c) => ({
      note: c.note,
      anchors: (c.anchors ?? []).map((a) => ({ chain_id: a.chainId, tx_hash: a.txHash, block_number: a.blockNumber, from: a.from })),
    })),
    consistency: input.consistency.map((c) => ({
      from_size: c.fromSize,
      to_size: c.toSize,
      proof: c.proof.map((h) => encodeBase64(h)),
    })),
    entries: input.entries.map((e) => ({
      index: e.index,
      entry: encodeBase64(e.entry),
      checkpoint: e.checkpoint,
      proof: e.proof.map((h) => encodeBase64(h)),
    })),
  };
}
