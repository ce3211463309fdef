/**
 * A proof bundle (spec section 8): what a sponsor receives, as JSON (UTF-8). Field names are the wire names;
 * byte strings are standard base64, hashes 32 bytes. These types are the parsed, shape-checked form: every
 * value has the right JSON type, but base64, notes and hex are decoded and checked by `verifyBundle`, which
 * reports a bad one as a failure of the item that holds it.
 */
export const BUNDLE_FORMAT = 'tg-proof-bundle/1';

export interface BundleDevice {
  readonly id: string;
  /** base64 of the 32-byte Ed25519 public key. */
  readonly public_key: string;
  readonly kind: string;
}

export interface BundleAnchor {
  readonly chain_id: number;
  /** 0x + 64 hex digits. */
  readonly tx_hash: string;
  readonly block_number: number;
  /** The anchoring address, 0x + 40 hex digits. */
  readonly from: string;
}

export interface BundleCheckpoint {
  /** The signed note, as the gateway signed it (C2SP signed-note with a tlog-checkpoint body). */
  readonly note: string;
  readonly anchors: readonly BundleAnchor[];
}

export interface BundleConsistencyProof {
  readonly from_size: number;
  readonly to_size: number;
  /** base64 32-byte hashes, RFC 9162 order. */
  readonly proof: readonly string[];
}

export interface BundleEntry {
  /** The entry's index in the log (its leaf index). */
  readonly index: number;
  /** base64 of the stored entry bytes (spec section 4). */
  readonly entry: string;
  /** Position in `checkpoints` of the checkpoint the inclusion proof is against. */
  readonly checkpoint: number;
  /** base64 32-byte hashes, RFC 9162 order (leaf side first). */
  readonly proof: readonly string[];
}

export interface ProofBundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly origin: string;
  /** The gateway's verifier key, `<name>+<8 hex>+<base64(0x01 || key)>` (spec section 5). */
  readonly gateway_key: string;
  readonly devices: readonly BundleDevice[];
  /** In increasing tree size. */
  readonly checkpoints: readonly BundleCheckpoint[];
  /** One proof per pair of consecutive checkpoints. */
  readonly consistency: readonly BundleConsistencyProof[];
  readonly entries: readonly BundleEntry[];
}
