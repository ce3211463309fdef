/**
 * What every reliability scenario checks on a gateway's data directory afterwards, from the outside, with the
 * gateway running or stopped (a read-only snapshot view, docs/storage.md "Locking and readers"):
 *
 * 1. every message a device saw acknowledged is in the log exactly once, byte for byte (by device, seq and the
 *    SHA-256 of its bytes): spec section 3, "an acknowledged message is never lost";
 * 2. no (device, seq) is logged twice, and nothing is logged that no device sent;
 * 3. a full audit: every entry re-hashed against its stored leaf, every stored node recomputed, every signed
 *    checkpoint's root recomputed (what `trialgate checkpoints verify` runs);
 * 4. the checkpoints: each signed by the pinned gateway key, sizes strictly increasing, each consistent with
 *    the next (RFC 9162 section 2.1.4 proof from the stored tree, verified);
 * 5. a bundle exported the way a sponsor gets it (optionally only entries received since a time) verifies
 *    with the gateway key pinned: verdict 0, spec section 8.
 */
import { Writable } from 'node:stream';
import { auditStoredLogReport, coseSeqClaimOf, exportBundle, openLogView, type AuditReport } from '@trialgate/gateway';
import {
  consistencyProofFromStore,
  decodeLogEntry,
  openCheckpoint,
  parseVerifierKey,
  verifyBundleText,
  verifyConsistencyProof,
} from '@trialgate/proof-formats';
import { createHash } from 'node:crypto';
import { ledgerKey, type LedgerMessage } from './ack-ledger-store.js';

export interface LogCheckOptions {
  readonly dataDir: string;
  /** The verifier key taken from the first start (out of band), pinned for every check. */
  readonly gatewayKey: string;
  /** Messages devices saw acknowledged. */
  readonly acknowledged: readonly LedgerMessage[];
  /** Messages devices stored and may have sent (acknowledged or not); when given, nothing else may be logged. */
  readonly sent?: ReadonlyMap<string, LedgerMessage>;
  /** Export and verify a bundle (default true); only entries received at or after this time when given. */
  readonly bundle?: boolean;
  readonly bundleFromMs?: number;
}

export interface LogCheckResult {
  readonly size: number;
  /** `cose-sign1` entries. */
  readonly deviceMessages: number;
  /** Acknowledged messages not in the log. */
  readonly missing: readonly string[];
  /** Acknowledged messages logged with other bytes. */
  readonly altered: readonly string[];
  /** (device, seq) logged more than once. */
  readonly duplicated: readonly string[];
  /** Logged messages no device stored (only with `sent`). */
  readonly unexpected: readonly string[];
  readonly audit: AuditReport;
  readonly checkpoints: number;
  readonly checkpointProblems: readonly string[];
  readonly bundle: { readonly entries: number; readonly exitCode: number; readonly summary: string; readonly failures: readonly string[] } | null;
}

/** True when nothing at all is wrong. */
export function logIsSound(result: LogCheckResult): boolean {
  return (
    result.missing.length === 0 &&
    result.altered.length === 0 &&
    result.duplicated.length === 0 &&
    result.unexpected.length === 0 &&
    result.audit.problems.length === 0 &&
    result.checkpointProblems.length === 0 &&
    (result.bundle === null || result.bundle.exitCode === 0)
  );
}

/** A short account of what is wrong, for an assertion message. */
export function describeProblems(result: LogCheckResult): string {
  return JSON.stringify({
    missing: result.missing.slice(0, 10),
    altered: result.altered.slice(0, 10),
    duplicated: result.duplicated.slice(0, 10),
    unexpected: result.unexpected.slice(0, 10),
    audit: result.audit.problems.slice(0, 10),
    checkpoints: result.checkpointProblems.slice(0, 10),
    bundle: result.bundle === null ? null : { exitCode: result.bundle.exitCode, summary: result.bundle.summary, failures: result.bundle.failures.slice(0, 10) },
  });
}

export async function checkLog(options: LogCheckOptions): Promise<LogCheckResult> {
  const view = openLogView({ dataDir: options.dataDir, holder: 'reliability check' });
  try {
    const size = view.size();
    // 1 and 2: every logged device message by (device, seq).
    const logged = new Map<string, string[]>();
    let deviceMessages = 0;
    view.forEachEntry(0, size, (_index, bytes) => {
      const entry = decodeLogEntry(bytes);
      if (entry.contentType !== 'cose-sign1') return;
      deviceMessages += 1;
      const claim = coseSeqClaimOf(entry);
      const key = claim === null ? `${entry.deviceId}/?` : ledgerKey(claim.deviceId, claim.seq);
      const list = logged.get(key) ?? [];
      list.push(createHash('sha256').update(entry.original).digest('hex'));
      logged.set(key, list);
    });
    const missing: string[] = [];
    const altered: string[] = [];
    for (const message of options.acknowledged) {
      const key = ledgerKey(message.device, message.seq);
      const copies = logged.get(key);
      if (copies === undefined) missing.push(key);
      else if (!copies.includes(message.sha256)) altered.push(key);
    }
    const duplicated = [...logged].filter(([, copies]) => copies.length > 1).map(([key]) => key);
    const unexpected: string[] = [];
    if (options.sent !== undefined) {
      for (const [key, copies] of logged) {
        const sent = options.sent.get(key);
        if (sent === undefined || !copies.every((sha) => sha === sent.sha256)) unexpected.push(key);
      }
    }

    // 3: the full audit.
    const checkpoints = view.checkpoints.list({ limit: 1_000_000 }).filter((c) => c.treeSize <= size);
    const audit = auditStoredLogReport({
      size,
      readEntry: (i) => view.readEntry(i),
      forEachEntry: (from, to, onEntry) => view.forEachEntry(from, to, onEntry),
      treeStore: view.treeNodes,
      checkpoints,
    });

    // 4: the checkpoints, signed by the pinned key, increasing, each consistent with the next.
    const checkpointProblems: string[] = [];
    const verifier = parseVerifierKey(options.gatewayKey);
    const sorted = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
    for (const [i, checkpoint] of sorted.entries()) {
      try {
        const opened = openCheckpoint(checkpoint.note, [verifier]);
        if (opened.checkpoint.treeSize !== checkpoint.treeSize) checkpointProblems.push(`${checkpoint.treeSize}: the note says size ${opened.checkpoint.treeSize}`);
      } catch (error) {
        checkpointProblems.push(`${checkpoint.treeSize}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const previous = sorted[i - 1];
      if (previous === undefined) continue;
      if (previous.treeSize === checkpoint.treeSize) checkpointProblems.push(`${checkpoint.treeSize}: two checkpoints of one size`);
      else {
        try {
          verifyConsistencyProof({
            fromSize: previous.treeSize,
            toSize: checkpoint.treeSize,
            proof: consistencyProofFromStore(view.treeNodes, previous.treeSize, checkpoint.treeSize),
            fromRoot: previous.rootHash,
            toRoot: checkpoint.rootHash,
          });
        } catch (error) {
          checkpointProblems.push(`${previous.treeSize} -> ${checkpoint.treeSize}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }

    // 5: a sponsor's bundle, verified with the key pinned.
    let bundle: LogCheckResult['bundle'] = null;
    if (options.bundle !== false && checkpoints.length > 0) {
      const chunks: Buffer[] = [];
      const out = new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
          callback();
        },
      });
      const summary = await exportBundle({
        view,
        gatewayKey: options.gatewayKey,
        out,
        ...(options.bundleFromMs === undefined ? {} : { fromMs: options.bundleFromMs }),
      });
      const report = await verifyBundleText(Buffer.concat(chunks), { trustedGatewayKey: options.gatewayKey });
      bundle = {
        entries: summary.entries,
        exitCode: report.exitCode,
        summary: report.summary,
        failures: report.failures.map((f) => `${f.code}: ${f.message}`),
      };
    }
    return { size, deviceMessages, missing, altered, duplicated, unexpected, audit, checkpoints: checkpoints.length, checkpointProblems, bundle };
  } finally {
    await view.close();
  }
}
