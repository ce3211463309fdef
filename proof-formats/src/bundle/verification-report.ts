/**
 * What `verifyBundle` answers: plain data, so that `trialgate verify --json` prints it as is and a sponsor's
 * script can read it. Verdicts and exit statuses are those of spec section 8.
 */
export type Verdict = 'valid' | 'invalid' | 'unusable' | 'inconclusive';

/** Spec section 8: 0 valid, 1 invalid, 2 unusable input, 3 inconclusive. */
export const VERDICT_EXIT_CODES: Readonly<Record<Verdict, 0 | 1 | 2 | 3>> = {
  valid: 0,
  invalid: 1,
  unusable: 2,
  inconclusive: 3,
};

export const VERIFICATION_REPORT_FORMAT = 'tg-verify-report/1';

/** What a finding is about: the bundle, a device record, a checkpoint, a consistency pair, an anchor, an entry. */
export type FindingSubject =
  | { readonly kind: 'bundle' }
  | { readonly kind: 'device'; readonly position: number; readonly deviceId: string }
  | { readonly kind: 'checkpoint'; readonly position: number }
  | { readonly kind: 'consistency'; readonly fromCheckpoint: number; readonly toCheckpoint: number }
  | { readonly kind: 'anchor'; readonly checkpoint: number; readonly position: number }
  | {
      readonly kind: 'entry';
      /** Position in the bundle's `entries`. */
      readonly position: number;
      /** The entry's log index, as the bundle states it. */
      readonly index: number;
      readonly deviceId?: string;
    };

export interface Finding {
  readonly subject: FindingSubject;
  /** Stable code (docs/proof-formats.md lists them). */
  readonly code: string;
  /** A sentence for a data manager. */
  readonly message: string;
  /** The subject in words: `entry 17 (log index 1234, device WR-0042)`. */
  readonly where: string;
}

export interface SeqGap {
  readonly deviceId: string;
  /** The last seq present before the gap, and the first after it. */
  readonly afterSeq: number;
  readonly beforeSeq: number;
  readonly missing: number;
}

export interface AnchorReport {
  readonly position: number;
  readonly chainId: number;
  readonly txHash: string;
  readonly blockNumber: number;
  readonly from: string;
  /** `not-checked` without an anchor verifier; otherwise the anchor verifier's answer. */
  readonly status: 'not-checked' | 'verified' | 'failed' | 'pending' | 'unavailable' | 'unchecked' | 'malformed';
  readonly message?: string;
  /** For verified anchors: the block time, so the checkpoint existed no later than this (ISO 8601). */
  readonly blockTime?: string;
}

export interface CheckpointReport {
  readonly position: number;
  /** False when the note, its signature or its body failed. */
  readonly verified: boolean;
  readonly treeSize?: number;
  /** base64, as in the note. */
  readonly rootHash?: string;
  /** The anchored digest (spec section 6), 0x-prefixed hex. */
  readonly digest?: string;
  /** Signatures by keys other than the gateway key (witnesses, a rotated key), ignored. */
  readonly otherSigners: readonly string[];
  readonly anchors: readonly AnchorReport[];
}

export interface BundleVerificationReport {
  readonly format: typeof VERIFICATION_REPORT_FORMAT;
  readonly verdict: Verdict;
  readonly exitCode: 0 | 1 | 2 | 3;
  /** The first line of the CLI output. */
  readonly summary: string;
  readonly origin?: string;
  readonly gatewayKey?: { readonly name: string; readonly keyId: string; readonly pinned: boolean };
  readonly counts: {
    readonly entries: number;
    /** Entries that passed every check that applies to them. */
    readonly entriesVerified: number;
    /** Distinct device ids among the entries. */
    readonly devices: number;
    readonly signedEntries: number;
    /** `gatt:*` entries: values from devices that cannot sign, attested by the gateway. */
    readonly attestedEntries: number;
    readonly registryEntries: number;
    readonly gatewayEntries: number;
    readonly checkpoints: number;
    readonly checkpointsVerified: number;
    readonly consistencyProofsVerified: number;
    readonly anchors: number;
    readonly anchorsVerified: number;
  };
  /** Each makes the bundle invalid (exit 1). */
  readonly failures: readonly Finding[];
  /** Checks that could not be completed (exit 3 when nothing failed). */
  readonly inconclusive: readonly Finding[];
  /** Worth a look, no failure. */
  readonly warnings: readonly Finding[];
  /** Checks that were not run, in plain words. */
  readonly notChecked: readonly string[];
  /** Per-device seq gaps: reported, no failure (a bundle may hold a selection). */
  readonly seqGaps: readonly SeqGap[];
  readonly checkpoints: readonly CheckpointReport[];
}
