import {
  createEd25519Verifier,
  isDeviceId,
  isTrialgateError,
  type Ed25519Verifier,
} from '@trialgate/firmware-protocol';
import type { AnchorClaim, AnchorVerifier } from '../anchor/anchor-verifier.js';
import { parseCheckpointBody, type Checkpoint } from '../checkpoint/checkpoint-body.js';
import { checkpointDigest } from '../checkpoint/checkpoint-digest.js';
import { bytesEqual, toHex } from '../encoding/bytes.js';
import { decodeBase64, encodeBase64 } from '../encoding/canonical-base64.js';
import { decodeLogEntry } from '../entry/decode-log-entry.js';
import { isGattContentType } from '../entry/content-type.js';
import type { LogEntry } from '../entry/log-entry.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { parseVerifierKey, type NoteVerifier } from '../note/note-verifier.js';
import { openNote } from '../note/signed-note.js';
import { verifyConsistencyProof } from '../tree/consistency-proof.js';
import { verifyInclusionProof } from '../tree/inclusion-proof.js';
import { VerifiedPathCache } from '../tree/verified-path-cache.js';
import { EMPTY_TREE_ROOT, HASH_SIZE, leafHash } from '../tree/tree-hashing.js';
import type { SignedMessageOutcome } from './check-signed-message.js';
import { describeSubject } from './describe-subject.js';
import { parseBundle } from './parse-bundle.js';
import { readLogEntryFast } from './read-log-entry-fast.js';
import type { BundleAnchor, BundleEntry, ProofBundle } from './proof-bundle.js';
import { registryKeyOf } from './registry-key-history.js';
import { checkSeqOrder, type SeqObservation } from './seq-order.js';
import { inThreadSignedMessageChecker, type SignedMessageChecker, type SignedMessageRequest } from './signed-message-checker.js';
import { SignatureWorkerPool } from './signature-worker-pool.js';
import { summarizeVerification } from './summarize-verification.js';
import { tryDecodeBase64 } from './try-decode-base64.js';
import {
  VERDICT_EXIT_CODES,
  VERIFICATION_REPORT_FORMAT,
  type AnchorReport,
  type BundleVerificationReport,
  type CheckpointReport,
  type Finding,
  type FindingSubject,
  type Verdict,
} from './verification-report.js';

export interface VerifyBundleOptions {
  /** Checks anchors on chain; without it, anchors are reported as not checked. */
  readonly anchorVerifier?: AnchorVerifier;
  /** Why anchors were not checked when there is no anchor verifier (default "no anchor verifier given"). */
  readonly anchorsNotCheckedReason?: string;
  /**
   * The gateway's verifier key as the sponsor got it from the site out of band (`trialgate keys show`).
   * When given, checkpoints are verified under it and a bundle naming another key fails; when not, the
   * bundle's own `gateway_key` is used and the report says the key was not pinned.
   */
  readonly trustedGatewayKey?: string;
  /** From `parseBundle`: members the verifier ignored, reported as warnings. */
  readonly ignoredFields?: readonly string[];
  /**
   * How far (ms) an entry's `receivedAtMs` may lie after the block time of an anchor that covers it before a
   * warning says the gateway clock ran ahead (default 300000, the connect-token window of section 3).
   */
  readonly clockToleranceMs?: number;
  /**
   * Worker threads for the device signatures of `cose-sign1` entries (default 0: on the calling thread). The
   * report is the same either way; with a few thousand signed entries or more, one worker per core makes
   * verification several times faster (`trialgate verify` decides by the bundle's size).
   */
  readonly signatureWorkers?: number;
}

interface CheckpointState {
  readonly position: number;
  checkpoint?: Checkpoint;
  digest?: Uint8Array;
  otherSigners: string[];
  anchors: AnchorReport[];
  /** Entries proven against this checkpoint that could not be checked because it failed. */
  unprovenEntries: number;
  /** Earliest verified anchor time of this checkpoint or of a later one it is proven consistent with. */
  anchoredByMs?: number;
  /** Inclusion proofs against this checkpoint, sharing the path walks they have in common. */
  paths?: VerifiedPathCache<string>;
}

/** A proven `cose-sign1` entry whose message checks (checkSignedMessage) are under way. */
interface PendingSignedEntry {
  readonly position: number;
  readonly index: number;
  readonly deviceId: string;
  readonly subject: FindingSubject;
  outcome?: SignedMessageOutcome;
}

/** The entry loop's failures and pending signed entries, in entry order: the report lists them that way. */
type EntrySlot = { readonly failure: Finding } | { readonly signed: PendingSignedEntry };

/** Signed entries per request to the signature checker; the entry loop yields this often when it uses workers. */
const SIGNATURE_BATCH = 256;

type DecodedEntry = { readonly entry: LogEntry; readonly error?: undefined } | { readonly entry?: undefined; readonly error: unknown };

function decodeForNaming(bytes: Uint8Array): DecodedEntry {
  try {
    return { entry: readLogEntryFast(bytes) ?? decodeLogEntry(bytes) };
  } catch (error) {
    return { error };
  }
}

/** A proof hash as the bundle gives it: canonical base64 of 32 bytes, or `undefined` (the plain path says why). */
function decodeProofHash(text: string): Uint8Array | undefined {
  return tryDecodeBase64(text, HASH_SIZE);
}

interface DeviceKey {
  readonly position: number;
  readonly publicKey: Uint8Array;
  readonly verifier: Ed25519Verifier;
}

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function errorCode(error: unknown, fallback: string): string {
  return isTrialgateError(error) ? error.code : fallback;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Verifies a proof bundle: every check of spec section 8, trusting no hash it can compute.
 *
 * 1. The gateway key (pinned by the caller, or the bundle's own), then every checkpoint: the note's
 *    signature under the gateway key (C2SP: other keys' signatures are ignored), its body, its origin.
 * 2. Consistency between each pair of consecutive checkpoints, and that the bundle holds the proof.
 * 3. Device records: id, key.
 * 4. Every entry: its checkpoint exists and verified, its inclusion proof (leaf hash recomputed from the
 *    entry bytes), its bytes decode as a log entry; for `cose-sign1` the signature under the device's key
 *    (any key of a device listed more than once: key rotation), kid = `dev` = the entry's device id; per device,
 *    no seq twice (gaps are reported only).
 * 5. With an anchor verifier, every anchor of every verified checkpoint (spec section 6).
 *
 * Never throws for bad bundle content: everything becomes a finding naming the entry or checkpoint. Throws
 * `E_VERIFIER_KEY` only when `options.trustedGatewayKey` itself is malformed (a usage error).
 */
export async function verifyBundle(bundle: ProofBundle, options: VerifyBundleOptions = {}): Promise<BundleVerificationReport> {
  const workers = options.signatureWorkers ?? 0;
  if (workers <= 0) return verifyWith(bundle, options, undefined);
  const pool = new SignatureWorkerPool({ workers });
  try {
    return await verifyWith(bundle, options, pool);
  } finally {
    await pool.close();
  }
}

/**
 * `verifyBundle` with its signature checks on `pool`'s worker threads (started early by `verifyBundleText`,
 * so that they load while the bundle is parsed), or on the calling thread without one.
 */
async function verifyWith(bundle: ProofBundle, options: VerifyBundleOptions, pool: SignatureWorkerPool | undefined): Promise<BundleVerificationReport> {
  const failures: Finding[] = [];
  const inconclusive: Finding[] = [];
  const warnings: Finding[] = [];
  const notChecked: string[] = [];
  const finding = (subject: FindingSubject, code: string, message: string): Finding => ({
    subject,
    code,
    message,
    where: describeSubject(subject),
  });
  const fail = (subject: FindingSubject, code: string, message: string): void => {
    failures.push(finding(subject, code, message));
  };
  const warn = (subject: FindingSubject, code: string, message: string): void => {
    warnings.push(finding(subject, code, message));
  };
  const bundleSubject: FindingSubject = { kind: 'bundle' };

  for (const field of options.ignoredFields ?? []) {
    warn(bundleSubject, 'W_UNKNOWN_FIELD', `${field} is not part of ${bundle.format} and was ignored (not verified)`);
  }

  // 1. The gateway key.
  const pinned = options.trustedGatewayKey === undefined ? undefined : parseVerifierKey(options.trustedGatewayKey);
  let gatewayVerifier: NoteVerifier | undefined;
  try {
    gatewayVerifier = parseVerifierKey(bundle.gateway_key);
  } catch (error) {
    fail(bundleSubject, errorCode(error, 'E_VERIFIER_KEY'), `gateway_key is not a verifier key: ${errorMessage(error)}`);
  }
  if (pinned !== undefined) {
    if (gatewayVerifier !== undefined && (gatewayVerifier.name !== pinned.name || !bytesEqual(gatewayVerifier.publicKey, pinned.publicKey))) {
      fail(bundleSubject, 'E_GATEWAY_KEY_MISMATCH', `the bundle names gateway key ${gatewayVerifier.name}+${hex8(gatewayVerifier.keyId)}, not the pinned ${pinned.name}+${hex8(pinned.keyId)}`);
    }
    gatewayVerifier = pinned;
  } else {
    notChecked.push("gateway key not pinned: checkpoints were verified under the bundle's own gateway_key (pass --gateway-key with the key the site published)");
  }
  if (gatewayVerifier !== undefined && gatewayVerifier.name !== bundle.origin) {
    warn(bundleSubject, 'W_KEY_NAME_ORIGIN', `the gateway key is named ${gatewayVerifier.name}, not after the origin ${bundle.origin} (C2SP tlog-checkpoint: it SHOULD match)`);
  }

  // 1. Checkpoints.
  const checkpoints: CheckpointState[] = bundle.checkpoints.map((raw, position) => {
    const state: CheckpointState = { position, otherSigners: [], anchors: [], unprovenEntries: 0 };
    const subject: FindingSubject = { kind: 'checkpoint', position };
    if (gatewayVerifier === undefined) return state;
    try {
      const opened = openNote(raw.note, [gatewayVerifier]);
      state.otherSigners = opened.unknown.map((s) => `${s.name}+${s.keyIdHex}`);
      const checkpoint = parseCheckpointBody(opened.text);
      if (checkpoint.origin !== bundle.origin) {
        fail(subject, 'E_CHECKPOINT_ORIGIN', `the checkpoint is of log ${checkpoint.origin}, not of the bundle's origin ${bundle.origin}`);
        return state;
      }
      if (checkpoint.treeSize === 0 && !bytesEqual(checkpoint.rootHash, EMPTY_TREE_ROOT)) {
        fail(subject, 'E_CHECKPOINT_EMPTY_ROOT', 'a checkpoint of the empty tree must have the root SHA-256("")');
        return state;
      }
      state.checkpoint = checkpoint;
      state.digest = checkpointDigest(opened.text);
      state.paths = new VerifiedPathCache(checkpoint.treeSize, checkpoint.rootHash, decodeProofHash);
    } catch (error) {
      const code = errorCode(error, 'E_NOTE_MALFORMED');
      const message =
        code === 'E_NOTE_UNVERIFIED'
          ? `not signed by the gateway key ${gatewayVerifier.name}+${hex8(gatewayVerifier.keyId)} (only by keys the verifier does not know)`
          : code === 'E_NOTE_SIGNATURE'
            ? "the gateway key's signature does not verify: the checkpoint was altered or signed by another key"
            : errorMessage(error);
      fail(subject, code, message);
    }
    return state;
  });

  // 2. Consistency between consecutive checkpoints.
  const used = new Set<number>();
  const consistent: boolean[] = [];
  // Proofs by their (from, to) sizes: one lookup per pair, whatever the number of checkpoints.
  const proofsBySizes = new Map<string, number[]>();
  bundle.consistency.forEach((c, k) => {
    const key = `${c.from_size}:${c.to_size}`;
    proofsBySizes.set(key, [...(proofsBySizes.get(key) ?? []), k]);
  });
  for (let i = 0; i + 1 < checkpoints.length; i++) {
    const a = checkpoints[i]?.checkpoint;
    const b = checkpoints[i + 1]?.checkpoint;
    const subject: FindingSubject = { kind: 'consistency', fromCheckpoint: i, toCheckpoint: i + 1 };
    consistent[i] = false;
    if (a === undefined || b === undefined) continue;
    const m = a.treeSize;
    const n = b.treeSize;
    const proofs = proofsBySizes.get(`${m}:${n}`) ?? [];
    proofs.forEach((k) => used.add(k));
    if (m > n) {
      fail(subject, 'E_CHECKPOINT_ORDER', `checkpoint ${i + 1} (size ${n}) is smaller than checkpoint ${i} (size ${m}): checkpoints must come in increasing size`);
      continue;
    }
    if (m === 0) {
      // The empty tree is a prefix of every tree; RFC 9162 defines no proof from it and the spec rejects one.
      if (proofs.length > 0) fail(subject, 'E_CONSISTENCY_PROOF', 'a consistency proof from the empty tree is rejected (spec section 5)');
      else consistent[i] = true;
      continue;
    }
    if (proofs.length === 0) {
      if (m === n && bytesEqual(a.rootHash, b.rootHash)) consistent[i] = true;
      else if (m === n) fail(subject, 'E_CONSISTENCY_PROOF', `two different roots for tree size ${n}: the log forked`);
      else fail(subject, 'E_CONSISTENCY_MISSING', `the bundle has no consistency proof from size ${m} to size ${n}`);
      continue;
    }
    let ok = true;
    for (const k of proofs) {
      try {
        const proof = (bundle.consistency[k]?.proof ?? []).map((h, p) => decodeBase64(h, `consistency[${k}].proof[${p}]`, HASH_SIZE));
        verifyConsistencyProof({ fromSize: m, toSize: n, proof, fromRoot: a.rootHash, toRoot: b.rootHash });
      } catch (error) {
        ok = false;
        fail(subject, errorCode(error, 'E_CONSISTENCY_PROOF'), `consistency[${k}] (size ${m} to ${n}): ${errorMessage(error)}`);
      }
    }
    consistent[i] = ok;
  }
  bundle.consistency.forEach((c, k) => {
    if (used.has(k)) return;
    if (c.from_size === 0) {
      fail(bundleSubject, 'E_CONSISTENCY_PROOF', `consistency[${k}] is from size 0: a consistency proof from the empty tree is rejected (spec section 5)`);
    } else {
      warn(bundleSubject, 'W_CONSISTENCY_UNUSED', `consistency[${k}] (size ${c.from_size} to ${c.to_size}) joins no two consecutive checkpoints and was not used`);
    }
  });

  // 3. Devices. A device listed more than once with different keys is a key rotation: its entries may
  // verify under any of its keys (docs/proof-formats.md).
  const deviceKeys = new Map<string, DeviceKey[]>();
  bundle.devices.forEach((device, position) => {
    const subject: FindingSubject = { kind: 'device', position, deviceId: device.id };
    if (!isDeviceId(device.id)) {
      fail(subject, 'E_DEVICE_ID', 'the device id does not match ^[A-Za-z0-9._-]{1,64}$ (spec section 1)');
      return;
    }
    let publicKey: Uint8Array;
    let verifier: Ed25519Verifier;
    try {
      publicKey = decodeBase64(device.public_key, 'public_key', 32);
      verifier = createEd25519Verifier(publicKey);
    } catch (error) {
      fail(subject, errorCode(error, 'E_DEVICE_KEY'), `the public key is not an Ed25519 key in base64: ${errorMessage(error)}`);
      return;
    }
    const keys = deviceKeys.get(device.id) ?? [];
    if (keys.some((k) => bytesEqual(k.publicKey, publicKey))) {
      warn(subject, 'W_DEVICE_REPEATED', 'the device is listed twice with the same key');
      return;
    }
    if (keys.length > 0) {
      warn(subject, 'W_DEVICE_KEY_ROTATION', `the device is listed with ${keys.length + 1} keys (key rotation): each of its signed entries must verify under one of them`);
    }
    keys.push({ position, publicKey, verifier });
    deviceKeys.set(device.id, keys);
  });

  // 4. Entries.
  const passed = new Set<number>();
  let signedEntries = 0;
  let attestedEntries = 0;
  let registryEntries = 0;
  let gatewayEntries = 0;
  const deviceIds = new Set<string>();
  const seqObservations: SeqObservation[] = [];
  const registryKeys = new Map<string, Uint8Array[]>();
  const registryDevices = new Set<string>();
  const provenByIndex = new Map<number, { bytes: Uint8Array; position: number }>();
  const timed: { position: number; index: number; deviceId: string; receivedAtMs: number; checkpoint: number }[] = [];

  // The message checks of signed entries (checkSignedMessage) run on the signature checker, in batches, while
  // this loop goes on; their failures take their place among the others afterwards, in entry order.
  const verifiers = new Map<string, Ed25519Verifier[]>([...deviceKeys].map(([id, keys]) => [id, keys.map((k) => k.verifier)]));
  pool?.setKeys(verifiers);
  const checker: SignedMessageChecker = pool ?? inThreadSignedMessageChecker(verifiers);
  const slots: EntrySlot[] = [];
  const entryFail = (subject: FindingSubject, code: string, message: string): void => {
    slots.push({ failure: finding(subject, code, message) });
  };
  const checks: Promise<void>[] = [];
  let requests: SignedMessageRequest[] = [];
  let pending: PendingSignedEntry[] = [];
  const sendChecks = (): void => {
    if (requests.length === 0) return;
    const batch = pending;
    checks.push(
      checker.check(requests).then((outcomes) => {
        batch.forEach((p, i) => {
          const outcome = outcomes[i];
          if (outcome !== undefined) p.outcome = outcome;
        });
      }),
    );
    requests = [];
    pending = [];
  };

  const visit = (raw: BundleEntry, position: number): void => {
    const unnamed = { kind: 'entry' as const, position, index: raw.index };
    let subject: FindingSubject = unnamed;
    const state = checkpoints[raw.checkpoint];
    if (state === undefined) {
      entryFail(subject, 'E_ENTRY_CHECKPOINT', `the entry refers to checkpoint ${raw.checkpoint}, but the bundle has ${checkpoints.length} checkpoint(s)`);
      return;
    }
    if (state.checkpoint === undefined || state.paths === undefined) {
      // Its checkpoint failed (already reported once); counted there rather than repeated per entry.
      state.unprovenEntries += 1;
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = tryDecodeBase64(raw.entry) ?? decodeBase64(raw.entry, 'entry');
    } catch (error) {
      entryFail(subject, errorCode(error, 'E_ENCODING'), errorMessage(error));
      return;
    }
    // Decoded only to name the device in messages; nothing is trusted before the inclusion proof.
    let decoded: DecodedEntry | undefined;
    const leaf = leafHash(bytes);
    if (state.paths.verify(raw.index, leaf, raw.proof)) {
      // Proven (verified-path-cache.ts: the same answer as the plain walk, which would also have decoded every
      // proof hash without error).
      decoded = decodeForNaming(bytes);
      if (decoded.entry !== undefined) subject = { ...unnamed, deviceId: decoded.entry.deviceId };
    } else {
      // The plain way, for the failure and its message.
      let proof: Uint8Array[];
      try {
        proof = raw.proof.map((h, p) => decodeBase64(h, `proof[${p}]`, HASH_SIZE));
      } catch (error) {
        entryFail(subject, errorCode(error, 'E_ENCODING'), errorMessage(error));
        return;
      }
      decoded = decodeForNaming(bytes);
      if (decoded.entry !== undefined) subject = { ...unnamed, deviceId: decoded.entry.deviceId };
      try {
        verifyInclusionProof({ index: raw.index, size: state.checkpoint.treeSize, leafHash: leaf, proof, root: state.checkpoint.rootHash });
      } catch (error) {
        entryFail(subject, errorCode(error, 'E_INCLUSION_PROOF'), `inclusion in checkpoint ${raw.checkpoint} (size ${state.checkpoint.treeSize}) fails: ${errorMessage(error)}`);
        return;
      }
    }
    const earlier = provenByIndex.get(raw.index);
    if (earlier !== undefined) {
      if (!bytesEqual(earlier.bytes, bytes)) {
        entryFail(subject, 'E_ENTRY_CONFLICT', `entry ${earlier.position} holds other bytes for the same log index ${raw.index}, and both are proven: the checkpoints disagree`);
        return;
      }
      warn(subject, 'W_ENTRY_REPEATED', `the same log entry as entry ${earlier.position}, listed twice`);
    } else {
      provenByIndex.set(raw.index, { bytes, position });
    }
    if (decoded.entry === undefined) {
      entryFail(subject, errorCode(decoded.error, 'E_ENTRY_DECODE'), `the entry bytes are proven but are not a valid log entry: ${errorMessage(decoded.error)}`);
      return;
    }
    const proven: LogEntry = decoded.entry;
    if (proven.deviceId !== '') deviceIds.add(proven.deviceId);
    timed.push({ position, index: raw.index, deviceId: proven.deviceId, receivedAtMs: proven.receivedAtMs, checkpoint: raw.checkpoint });

    if (proven.contentType === 'cose-sign1') {
      signedEntries += 1;
      if (!deviceKeys.has(proven.deviceId)) {
        entryFail(subject, 'E_DEVICE_UNKNOWN', `device ${proven.deviceId} is not in the bundle's devices, so its signature cannot be checked`);
        return;
      }
      // Passed once its message checks pass (below).
      const signed: PendingSignedEntry = { position, index: raw.index, deviceId: proven.deviceId, subject };
      slots.push({ signed });
      pending.push(signed);
      requests.push({ deviceId: proven.deviceId, original: proven.original });
      if (requests.length >= SIGNATURE_BATCH) sendChecks();
      return;
    } else if (isGattContentType(proven.contentType)) {
      attestedEntries += 1;
    } else if (proven.contentType === 'registry') {
      registryEntries += 1;
      const key = registryKeyOf(proven.original, proven.deviceId);
      if (key === 'unreadable') {
        warn(subject, 'W_REGISTRY_UNREADABLE', 'the registry change is not in the documented map form; its device key was not cross-checked');
      } else {
        registryDevices.add(proven.deviceId);
        if (key !== undefined) {
          const list = registryKeys.get(proven.deviceId) ?? [];
          list.push(key);
          registryKeys.set(proven.deviceId, list);
        }
      }
    } else {
      gatewayEntries += 1;
    }
    passed.add(position);
  };

  for (let position = 0; position < bundle.entries.length; position++) {
    const raw = bundle.entries[position];
    if (raw !== undefined) visit(raw, position);
    // With workers, let their answers in (and more batches out) now and then.
    if (pool !== undefined && position % SIGNATURE_BATCH === SIGNATURE_BATCH - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  sendChecks();
  await Promise.all(checks);
  for (const slot of slots) {
    if ('failure' in slot) {
      failures.push(slot.failure);
      continue;
    }
    const { signed } = slot;
    const outcome = signed.outcome;
    if (outcome === undefined) throw new Error('a signed entry was not checked');
    if (outcome.ok) {
      seqObservations.push({ deviceId: signed.deviceId, seq: outcome.seq, index: signed.index, position: signed.position });
      passed.add(signed.position);
    } else {
      fail(signed.subject, outcome.code, outcome.message);
    }
  }

  // Per-device seq order.
  const seq = checkSeqOrder(seqObservations);
  const entrySubject = (o: SeqObservation): FindingSubject => ({ kind: 'entry', position: o.position, index: o.index, deviceId: o.deviceId });
  for (const { first, second } of seq.repeated) {
    fail(entrySubject(second), 'E_SEQ_REPEATED', `device ${second.deviceId} seq ${second.seq} was already logged at log index ${first.index} (entry ${first.position}): the gateway logs each message once`);
  }
  for (const { earlier, later } of seq.outOfOrder) {
    warn(entrySubject(later), 'W_SEQ_ORDER', `seq ${later.seq} is logged after seq ${earlier.seq} of the same device (log index ${earlier.index})`);
  }
  const failedEntryPositions = new Set(failures.flatMap((f) => (f.subject.kind === 'entry' ? [f.subject.position] : [])));

  // Registry cross-check of device keys (a warning at most; see registry-key-history.ts).
  let keysWithoutRegistry = 0;
  for (const [deviceId, keys] of deviceKeys) {
    if (!registryDevices.has(deviceId)) {
      keysWithoutRegistry += 1;
      continue;
    }
    const enrolled = registryKeys.get(deviceId) ?? [];
    for (const key of keys) {
      if (!enrolled.some((k) => bytesEqual(k, key.publicKey))) {
        warn({ kind: 'device', position: key.position, deviceId }, 'W_DEVICE_KEY_NOT_IN_REGISTRY', "this key appears in none of the device's registry entries in the bundle (enrolment or key rotation)");
      }
    }
  }
  if (keysWithoutRegistry > 0) {
    notChecked.push(`device keys of ${plural(keysWithoutRegistry, 'device')} not cross-checked: the bundle holds no registry entry for them, so their keys come from the devices list only`);
  }

  for (const state of checkpoints) {
    if (state.unprovenEntries > 0) {
      const subject: FindingSubject = { kind: 'checkpoint', position: state.position };
      fail(subject, 'E_ENTRIES_UNPROVEN', `${plural(state.unprovenEntries, 'entry', 'entries')} proven against this checkpoint could not be verified because it failed`);
    }
  }

  // 5. Anchors.
  let anchorsTotal = 0;
  let anchorsVerified = 0;
  let anchorsPending = 0;
  const anchorsOtherChain: string[] = [];
  let anchorDescription: string | undefined;
  if (options.anchorVerifier !== undefined) anchorDescription = await options.anchorVerifier.describe();
  for (const state of checkpoints) {
    const raws = bundle.checkpoints[state.position]?.anchors ?? [];
    for (const [position, raw] of raws.entries()) {
      anchorsTotal += 1;
      const subject: FindingSubject = { kind: 'anchor', checkpoint: state.position, position };
      const base = { position, chainId: raw.chain_id, txHash: raw.tx_hash, blockNumber: raw.block_number, from: raw.from };
      const claim = anchorClaim(raw);
      if (claim === undefined) {
        fail(subject, 'E_ANCHOR_MALFORMED', 'tx_hash must be 0x and 64 hex digits, from 0x and 40 hex digits');
        state.anchors.push({ ...base, status: 'malformed' });
        continue;
      }
      if (state.digest === undefined) {
        state.anchors.push({ ...base, status: 'not-checked', message: 'the checkpoint failed' });
        continue;
      }
      if (options.anchorVerifier === undefined) {
        state.anchors.push({ ...base, status: 'not-checked' });
        continue;
      }
      const check = await options.anchorVerifier.checkAnchor(claim, state.digest);
      switch (check.status) {
        case 'verified': {
          anchorsVerified += 1;
          const blockTime = new Date(check.blockTimestampMs).toISOString();
          state.anchors.push({ ...base, status: 'verified', blockTime, message: `final (${check.finality === 'finalized-tag' ? 'finalized block' : `${check.confirmations} confirmations`})` });
          state.anchoredByMs = Math.min(state.anchoredByMs ?? Number.POSITIVE_INFINITY, check.blockTimestampMs);
          break;
        }
        case 'failed':
          fail(subject, check.code, check.message);
          state.anchors.push({ ...base, status: 'failed', message: check.message });
          break;
        case 'pending':
        case 'unavailable':
          anchorsPending += 1;
          inconclusive.push(finding(subject, check.status === 'pending' ? 'I_ANCHOR_NOT_FINAL' : 'I_ANCHOR_UNAVAILABLE', check.message));
          state.anchors.push({ ...base, status: check.status, message: check.message });
          break;
        case 'unchecked':
          anchorsOtherChain.push(`chain ${raw.chain_id}`);
          state.anchors.push({ ...base, status: 'unchecked', message: check.message });
          break;
      }
    }
  }
  if (anchorsTotal === 0) {
    notChecked.push('no anchors: the bundle holds none, so nothing bounds when its checkpoints were made');
  } else if (options.anchorVerifier === undefined) {
    notChecked.push(`anchors not checked: ${options.anchorsNotCheckedReason ?? 'no anchor verifier given'}`);
  } else if (anchorsOtherChain.length > 0) {
    notChecked.push(`${plural(anchorsOtherChain.length, 'anchor')} on ${[...new Set(anchorsOtherChain)].join(', ')} not checked: the RPC endpoint serves ${anchorDescription ?? 'another chain'}`);
  }

  // An anchor bounds every entry of its checkpoint and of every earlier checkpoint proven consistent with it.
  for (let i = checkpoints.length - 2; i >= 0; i--) {
    const here = checkpoints[i];
    const next = checkpoints[i + 1];
    if (here === undefined || next?.anchoredByMs === undefined || consistent[i] !== true) continue;
    here.anchoredByMs = Math.min(here.anchoredByMs ?? Number.POSITIVE_INFINITY, next.anchoredByMs);
  }
  const tolerance = options.clockToleranceMs ?? 300_000;
  for (const t of timed) {
    const bound = checkpoints[t.checkpoint]?.anchoredByMs;
    if (bound !== undefined && t.receivedAtMs > bound + tolerance && !failedEntryPositions.has(t.position)) {
      warn({ kind: 'entry', position: t.position, index: t.index, deviceId: t.deviceId }, 'W_ENTRY_AFTER_ANCHOR', `received at ${new Date(t.receivedAtMs).toISOString()}, after the block time ${new Date(bound).toISOString()} of an anchor that covers it: the gateway clock ran ahead`);
    }
  }

  const verdict: Verdict = failures.length > 0 ? 'invalid' : inconclusive.length > 0 ? 'inconclusive' : 'valid';
  const verifiedEntries = [...passed].filter((p) => !failedEntryPositions.has(p)).length;
  const checkpointReports: CheckpointReport[] = checkpoints.map((s) => ({
    position: s.position,
    verified: s.checkpoint !== undefined,
    ...(s.checkpoint === undefined
      ? {}
      : { treeSize: s.checkpoint.treeSize, rootHash: encodeBase64(s.checkpoint.rootHash) }),
    ...(s.digest === undefined ? {} : { digest: `0x${toHex(s.digest)}` }),
    otherSigners: s.otherSigners,
    anchors: s.anchors,
  }));
  const counts = {
    entries: bundle.entries.length,
    entriesVerified: verifiedEntries,
    devices: deviceIds.size,
    signedEntries,
    attestedEntries,
    registryEntries,
    gatewayEntries,
    checkpoints: checkpoints.length,
    checkpointsVerified: checkpoints.filter((s) => s.checkpoint !== undefined).length,
    consistencyProofsVerified: consistent.filter((c) => c).length,
    anchors: anchorsTotal,
    anchorsVerified,
  };
  const summary = summarizeVerification({
    verdict,
    counts,
    failures: failures.length,
    inconclusive: inconclusive.length,
    anchorsPending,
    notChecked,
    ...(anchorDescription === undefined ? {} : { anchorDescription }),
  });
  return {
    format: VERIFICATION_REPORT_FORMAT,
    verdict,
    exitCode: VERDICT_EXIT_CODES[verdict],
    summary,
    origin: bundle.origin,
    ...(gatewayVerifier === undefined
      ? {}
      : { gatewayKey: { name: gatewayVerifier.name, keyId: hex8(gatewayVerifier.keyId), pinned: pinned !== undefined } }),
    counts,
    failures,
    inconclusive,
    warnings,
    notChecked,
    seqGaps: seq.gaps,
    checkpoints: checkpointReports,
  };
}

/**
 * Parses and verifies bundle text. A bundle that cannot be parsed gives the `unusable` verdict (exit 2)
 * instead of an exception, so callers handle one result type.
 */
export async function verifyBundleText(text: string | Uint8Array, options: VerifyBundleOptions = {}): Promise<BundleVerificationReport> {
  const workers = options.signatureWorkers ?? 0;
  // Started before parsing, so that the workers load their code meanwhile.
  const pool = workers > 0 ? new SignatureWorkerPool({ workers }) : undefined;
  try {
    let parsed;
    try {
      parsed = parseBundle(text);
    } catch (error) {
      if (!(error instanceof ProofFormatError)) throw error;
      return unusableReport(error);
    }
    return await verifyWith(parsed.bundle, { ...options, ignoredFields: [...(options.ignoredFields ?? []), ...parsed.ignoredFields] }, pool);
  } finally {
    await pool?.close();
  }
}

/** The report for input that is not a usable bundle (exit 2). */
export function unusableReport(error: { readonly code: string; readonly message: string }): BundleVerificationReport {
  const subject: FindingSubject = { kind: 'bundle' };
  return {
    format: VERIFICATION_REPORT_FORMAT,
    verdict: 'unusable',
    exitCode: VERDICT_EXIT_CODES.unusable,
    summary: `UNUSABLE: ${error.message}`,
    counts: {
      entries: 0,
      entriesVerified: 0,
      devices: 0,
      signedEntries: 0,
      attestedEntries: 0,
      registryEntries: 0,
      gatewayEntries: 0,
      checkpoints: 0,
      checkpointsVerified: 0,
      consistencyProofsVerified: 0,
      anchors: 0,
      anchorsVerified: 0,
    },
    failures: [{ subject, code: error.code, message: error.message, where: describeSubject(subject) }],
    inconclusive: [],
    warnings: [],
    notChecked: ['nothing was verified: the input is not a usable bundle'],
    seqGaps: [],
    checkpoints: [],
  };
}

function anchorClaim(raw: BundleAnchor): AnchorClaim | undefined {
  if (!TX_HASH.test(raw.tx_hash) || !ADDRESS.test(raw.from)) return undefined;
  return {
    chainId: raw.chain_id,
    txHash: raw.tx_hash as `0x${string}`,
    blockNumber: raw.block_number,
    from: raw.from as `0x${string}`,
  };
}

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
