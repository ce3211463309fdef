/**
 * Export: a proof bundle (spec section 8) of all entries, or of some devices' entries in a time range, with
 * the checkpoints that prove them, the final anchors known so far and the devices' keys.
 *
 * Choices (docs/http-api.md, "Export"):
 * - Each entry is proven against the smallest checkpoint with a final anchor that contains it (its anchor
 *   bounds the entry's time most tightly, spec section 6); entries no final anchor covers yet are proven
 *   against the latest checkpoint. Entries newer than the latest checkpoint cannot be proven and are left
 *   out (counted in the summary: the next checkpoint will cover them).
 * - The time range applies to the gateway's receipt time (`receivedAtMs`, attested by the log), from
 *   inclusive to exclusive, so a device clock cannot move an entry in or out of a selection.
 * - Checkpoints, consistency proofs and devices go through proof-formats `buildBundle` (which checks them);
 *   entries are then streamed, one line each, in the exact layout of `serializeBundle`, so 100,000 entries
 *   are never held as one string, and the output is byte for byte what `serializeBundle` would write.
 * Two sequential passes over the segments: the first selects, the second writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import {
  buildBundle,
  inclusionProofFromStore,
  serializeBundle,
  splitNote,
  parseCheckpointBody,
  type AnchorClaim,
  type BuildBundleDevice,
} from '@trialgate/proof-formats';
import { AnchorStore } from '../anchoring/anchor-store.js';
import type { StoredCheckpoint } from '../checkpoints/checkpoint-store.js';
import { readEntryHeader } from '../storage/entry-header.js';
import type { LogView } from '../storage/log-view.js';
import { registryDeviceKeys, type DeviceKeySource } from './device-key-source.js';
import { ExportError } from './export-error.js';

export interface ExportSelection {
  /** Only these devices' entries (default: every entry). */
  readonly devices?: readonly string[];
  /** Receipt time, inclusive (ms since the Unix epoch). */
  readonly fromMs?: number;
  /** Receipt time, exclusive. */
  readonly toMs?: number;
}

export interface ExportBundleOptions extends ExportSelection {
  readonly view: LogView;
  /** The gateway's verifier key (`loadGatewayKey(dataDir).verifierKey`). */
  readonly gatewayKey: string;
  readonly out: Writable;
  /** Default: the registry in the view's state database. */
  readonly deviceKeys?: DeviceKeySource;
}

export interface ExportSummary {
  readonly origin: string;
  readonly entries: number;
  readonly checkpoints: number;
  readonly finalAnchors: number;
  readonly devices: number;
  /** Selected devices' `cose-sign1` entries whose device has no known key (the verifier will fail them). */
  readonly devicesWithoutKey: readonly string[];
  /** Matching entries newer than the latest checkpoint, left out. */
  readonly notYetCheckpointed: number;
  /** The tree size of the latest checkpoint. */
  readonly treeSize: number;
  readonly bytes: number;
}

const ENTRIES_TAIL = '"entries": []\n}\n';
const CHUNK_CHARS = 1 << 20;

export async function exportBundle(options: ExportBundleOptions): Promise<ExportSummary> {
  const view = options.view;
  const origin = view.origin;
  if (origin === null) throw new ExportError('E_EXPORT_NO_CHECKPOINT', 'the log has no origin yet: nothing to export');
  const selection = checkSelection(options);
  const checkpoints = view.checkpoints.list({ limit: 100_000 });
  const latest = checkpoints.at(-1);
  if (latest === undefined) {
    throw new ExportError('E_EXPORT_NO_CHECKPOINT', 'the log has no signed checkpoint yet: start the gateway (or wait for its next checkpoint)');
  }
  const cover = latest.treeSize;
  const finals = new AnchorStore(view.db, origin).finalAnchors();
  const finalSizes = checkpoints.map((c) => c.treeSize).filter((size) => finals.has(size));

  // Pass 1: select.
  const selected: number[] = [];
  const signingDevices = new Set<string>();
  let notYetCheckpointed = 0;
  view.forEachEntry(0, view.size(), (index, bytes) => {
    const entry = readEntryHeader(bytes);
    if (!matches(entry, selection)) return;
    if (index >= cover) {
      notYetCheckpointed += 1;
      return;
    }
    selected.push(index);
    if (entry.contentType === 'cose-sign1') signingDevices.add(entry.deviceId);
  });

  // Which checkpoint proves each entry.
  const provingSize = (index: number): number => {
    const final = firstGreater(finalSizes, index);
    return final ?? cover;
  };
  const usedSizes = [...new Set(selected.map(provingSize))].sort((a, b) => a - b);
  if (usedSizes.length === 0) usedSizes.push(cover);
  const bySize = new Map(checkpoints.map((c) => [c.treeSize, c] as const));
  const used = usedSizes.map((size) => bySize.get(size)).filter((c): c is StoredCheckpoint => c !== undefined);
  const position = new Map(usedSizes.map((size, i) => [size, i] as const));

  const deviceKeys = options.deviceKeys ?? registryDeviceKeys(view.db);
  const devices: BuildBundleDevice[] = [];
  const devicesWithoutKey: string[] = [];
  for (const id of [...signingDevices].sort()) {
    const device = deviceKeys(id);
    if (device === undefined || device.publicKeys.length === 0) {
      devicesWithoutKey.push(id);
      continue;
    }
    for (const publicKey of device.publicKeys) devices.push({ id, publicKey, kind: device.kind });
  }
  const consistency = [];
  for (let i = 1; i < usedSizes.length; i++) {
    const from = usedSizes[i - 1] ?? 0;
    const to = usedSizes[i] ?? 0;
    if (from > 0 && to > from) consistency.push({ fromSize: from, toSize: to, proof: view.tree.consistencyProof(from, to) });
  }
  let finalAnchors = 0;
  const skeleton = buildBundle({
    origin,
    gatewayKey: options.gatewayKey,
    devices,
    checkpoints: used.map((checkpoint) => {
      const anchors: AnchorClaim[] = (finals.get(checkpoint.treeSize) ?? []).flatMap((a) =>
        a.txHash === null || a.from === null || a.blockNumber === null
          ? []
          : [{ chainId: a.chainId, txHash: a.txHash, blockNumber: a.blockNumber, from: a.from }],
      );
      finalAnchors += anchors.length;
      return { note: checkpoint.note, anchors };
    }),
    consistency,
    entries: [],
  });
  const head = serializeBundle(skeleton);
  if (!head.endsWith(ENTRIES_TAIL)) throw new Error('unexpected bundle layout from serializeBundle');

  // Pass 2: write, streaming. Proofs read nodes without copying them (they are only encoded).
  const nodes = view.treeNodes;
  const noCopy = { leafCount: () => Math.min(nodes.leafCount(), view.size()), readNode: (level: number, index: number) => nodes.readNodeView(level, index) };
  const writer = new ChunkWriter(options.out);
  await writer.write(`${head.slice(0, head.length - ENTRIES_TAIL.length)}"entries": [`);
  let next = 0;
  const lines: string[] = [];
  let lineChars = 0;
  const flushLines = async (): Promise<void> => {
    if (lines.length === 0) return;
    const text = lines.join('');
    lines.length = 0;
    lineChars = 0;
    await writer.write(text);
  };
  // forEachEntry is synchronous; lines are buffered and written between scan slices to honour back-pressure.
  const SLICE = 4096;
  for (let start = 0; start < cover && next < selected.length; start += SLICE) {
    const end = Math.min(cover, start + SLICE);
    if ((selected[next] ?? cover) >= end) continue;
    view.forEachEntry(start, end, (index, bytes) => {
      if (selected[next] !== index) return;
      const size = provingSize(index);
      // Buffer's base64 is the standard alphabet with padding, as encodeBase64, and several times faster.
      const line = JSON.stringify({
        index,
        entry: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
        checkpoint: position.get(size) ?? 0,
        proof: inclusionProofFromStore(noCopy, index, size).map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('base64')),
      });
      lines.push(next === 0 ? `\n    ${line}` : `,\n    ${line}`);
      lineChars += line.length + 6;
      next += 1;
    });
    if (lineChars >= CHUNK_CHARS) await flushLines();
  }
  await flushLines();
  await writer.write(selected.length === 0 ? ']\n}\n' : '\n  ]\n}\n');
  return {
    origin,
    entries: selected.length,
    checkpoints: used.length,
    finalAnchors,
    devices: new Set(devices.map((d) => d.id)).size,
    devicesWithoutKey,
    notYetCheckpointed,
    treeSize: cover,
    bytes: writer.bytes,
  };
}

/**
 * Exports to a file atomically: written under a temporary name beside it, fsync'd, then renamed, so a
 * reader never sees half a bundle and a failed export leaves no file.
 */
export async function exportBundleToFile(
  options: Omit<ExportBundleOptions, 'out'> & { readonly file: string },
): Promise<ExportSummary> {
  const file = path.resolve(options.file);
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const out = fs.createWriteStream(temporary, { flags: 'w', mode: 0o600 });
  try {
    await once(out, 'open');
    const summary = await exportBundle({ ...options, out });
    out.end();
    await once(out, 'finish');
    const fd = fs.openSync(temporary, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
    return summary;
  } catch (error) {
    out.destroy();
    fs.rmSync(temporary, { force: true });
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && !error.code.startsWith('E_')) {
      throw new ExportError('E_EXPORT_OUTPUT', `cannot write ${file}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Parses a time given as ISO 8601 or as ms since the Unix epoch (the CLI's and API's `from` / `to`). */
export function parseExportTime(text: string, what: string): number {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new ExportError('E_EXPORT_SELECTION', `${what} must be an ISO 8601 time or ms since the Unix epoch, not ${JSON.stringify(text)}`);
  }
  return ms;
}

/** The tree size a checkpoint note is of (for callers holding only notes). */
export function checkpointSizeOf(note: string): number {
  return parseCheckpointBody(splitNote(note).text).treeSize;
}

interface CheckedSelection {
  readonly devices: ReadonlySet<string> | null;
  readonly fromMs: number;
  readonly toMs: number;
}

function checkSelection(selection: ExportSelection): CheckedSelection {
  const fromMs = selection.fromMs ?? 0;
  const toMs = selection.toMs ?? Number.MAX_SAFE_INTEGER;
  if (!(fromMs <= toMs)) {
    throw new ExportError('E_EXPORT_SELECTION', 'the time range ends before it starts', { details: { fromMs, toMs } });
  }
  return {
    devices: selection.devices === undefined || selection.devices.length === 0 ? null : new Set(selection.devices),
    fromMs,
    toMs,
  };
}

function matches(entry: { deviceId: string; receivedAtMs: number }, selection: CheckedSelection): boolean {
  if (selection.devices !== null && !selection.devices.has(entry.deviceId)) return false;
  return entry.receivedAtMs >= selection.fromMs && entry.receivedAtMs < selection.toMs;
}

/** The smallest element of sorted `values` greater than `index`, or undefined. */
function firstGreater(values: readonly number[], index: number): number | undefined {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? 0) > index) hi = mid;
    else lo = mid + 1;
  }
  return values[lo];
}

/** Writes text to a stream, waiting for 'drain' when it asks to (back-pressure). */
class ChunkWriter {
  bytes = 0;
  readonly #out: Writable;

  constructor(out: Writable) {
    this.#out = out;
  }

  async write(text: string): Promise<void> {
    const buffer = Buffer.from(text, 'utf8');
    this.bytes += buffer.length;
    if (!this.#out.write(buffer)) await once(this.#out, 'drain');
  }
}
