import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SimError } from '../errors/sim-error.js';
import type { DeviceStore } from './device-store.js';
import type { DeviceResumeState, OutboxMessage } from './outbox-message.js';

/** The journal's name inside the state directory. */
export const OUTBOX_JOURNAL_FILE = 'outbox.jsonl';

export interface FileDeviceStoreOptions {
  /** Rewrite the journal from memory once this many bytes were appended since the last rewrite (default 64 MiB). */
  readonly compactAfterBytes?: number;
}

/** Journal lines: a stored message, an acknowledgement, or a seq high-water mark (after a rewrite or a reserve). */
type JournalLine =
  | { readonly m: string; readonly s: number; readonly b: string }
  | { readonly a: string; readonly s: number }
  | { readonly h: string; readonly s: number };

interface DeviceRecord {
  lastSeq: number;
  readonly pending: Map<number, OutboxMessage>;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The file adapter: one append-only JSON-lines journal for the whole fleet, with group commit (every record
 * that arrives while an fsync runs goes into the next write and shares its fsync), so a thousand devices
 * cost a few fsyncs per tick rather than one each. On open the journal is replayed, a torn last line (a crash
 * mid-write) is dropped, and the journal is rewritten compactly (high-water marks plus pending messages) via
 * a temporary file and an atomic rename.
 */
export class FileDeviceStore implements DeviceStore {
  private readonly directory: string;
  private readonly compactAfterBytes: number;
  private readonly devices: Map<string, DeviceRecord>;
  private handle: FileHandle;
  private lines: string[] = [];
  private waiters: Waiter[] = [];
  /** The running flush loop; cleared by the loop itself in the same turn it sees nothing left to write. */
  private flushing: Promise<void> | undefined;
  private bytesSinceCompaction = 0;
  private closed = false;

  private constructor(directory: string, devices: Map<string, DeviceRecord>, handle: FileHandle, options: FileDeviceStoreOptions) {
    this.directory = directory;
    this.devices = devices;
    this.handle = handle;
    this.compactAfterBytes = options.compactAfterBytes ?? 64 * 1024 * 1024;
  }

  static async open(directory: string, options: FileDeviceStoreOptions = {}): Promise<FileDeviceStore> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const devices = await readJournal(join(directory, OUTBOX_JOURNAL_FILE));
    const handle = await rewriteJournal(directory, devices);
    return new FileDeviceStore(directory, devices, handle, options);
  }

  resume(deviceId: string): DeviceResumeState {
    const record = this.devices.get(deviceId);
    if (record === undefined) return { lastSeq: 0, pending: [] };
    return { lastSeq: record.lastSeq, pending: [...record.pending.values()].sort((a, b) => a.seq - b.seq) };
  }

  put(messages: readonly OutboxMessage[]): Promise<void> {
    for (const message of messages) {
      const record = this.record(message.deviceId);
      record.lastSeq = Math.max(record.lastSeq, message.seq);
      record.pending.set(message.seq, message);
      this.lines.push(line({ m: message.deviceId, s: message.seq, b: Buffer.from(message.bytes).toString('base64') }));
    }
    return this.commit();
  }

  reserve(deviceId: string, seq: number): Promise<void> {
    const record = this.record(deviceId);
    record.lastSeq = Math.max(record.lastSeq, seq);
    this.lines.push(line({ h: deviceId, s: seq }));
    return this.commit();
  }

  ack(deviceId: string, seq: number): void {
    if (this.devices.get(deviceId)?.pending.delete(seq) !== true) return;
    this.lines.push(line({ a: deviceId, s: seq }));
    // Acknowledgements ride along with the next write; nobody waits for them.
    if (this.flushing === undefined) void this.commit().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.lines.length > 0) await this.commit();
    await this.flushing;
    this.closed = true;
    await this.handle.close();
  }

  private commit(): Promise<void> {
    if (this.closed) return Promise.reject(new SimError('E_SIM_STOPPED', 'the device store is closed'));
    // Nothing to write (an empty put): the loop must not start, since it would end before `flushing` is set.
    if (this.lines.length === 0) return this.flushing ?? Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return done;
  }

  private async flushLoop(): Promise<void> {
    while (this.lines.length > 0) {
      const text = this.lines.join('');
      const waiters = this.waiters;
      this.lines = [];
      this.waiters = [];
      try {
        await this.handle.write(text);
        await this.handle.datasync();
        this.bytesSinceCompaction += text.length;
        if (this.bytesSinceCompaction > this.compactAfterBytes) {
          await this.handle.close();
          this.handle = await rewriteJournal(this.directory, this.devices);
          this.bytesSinceCompaction = 0;
        }
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    // Synchronously after the last check: a record added from now on starts a new loop.
    this.flushing = undefined;
  }

  private record(deviceId: string): DeviceRecord {
    let record = this.devices.get(deviceId);
    if (record === undefined) {
      record = { lastSeq: 0, pending: new Map() };
      this.devices.set(deviceId, record);
    }
    return record;
  }
}

function line(value: JournalLine): string {
  return `${JSON.stringify(value)}\n`;
}

async function readJournal(path: string): Promise<Map<string, DeviceRecord>> {
  const devices = new Map<string, DeviceRecord>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return devices;
    throw error;
  }
  const lines = text.split('\n');
  // The text after the last newline is a record whose write was cut short by a crash: it never committed
  // (its put never resolved, so its message was never sent) and is dropped.
  lines.pop();
  const get = (id: string): DeviceRecord => {
    let record = devices.get(id);
    if (record === undefined) {
      record = { lastSeq: 0, pending: new Map() };
      devices.set(id, record);
    }
    return record;
  };
  lines.forEach((text, index) => {
    let value: Partial<Record<'m' | 'a' | 'h' | 'b', unknown>> & { s?: unknown };
    try {
      value = JSON.parse(text) as typeof value;
    } catch (cause) {
      throw new SimError('E_SIM_STATE_CORRUPT', `outbox journal line ${index + 1} is not JSON`, { cause, details: { path } });
    }
    if (value === null || typeof value !== 'object') {
      throw new SimError('E_SIM_STATE_CORRUPT', `outbox journal line ${index + 1} is not an object`, { details: { path } });
    }
    const seq = value.s;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
      throw new SimError('E_SIM_STATE_CORRUPT', `outbox journal line ${index + 1} has no valid seq`, { details: { path } });
    }
    if (typeof value.m === 'string' && typeof value.b === 'string') {
      const record = get(value.m);
      record.lastSeq = Math.max(record.lastSeq, seq);
      record.pending.set(seq, { deviceId: value.m, seq, bytes: new Uint8Array(Buffer.from(value.b, 'base64')) });
    } else if (typeof value.a === 'string') {
      get(value.a).pending.delete(seq);
    } else if (typeof value.h === 'string') {
      const record = get(value.h);
      record.lastSeq = Math.max(record.lastSeq, seq);
    } else {
      throw new SimError('E_SIM_STATE_CORRUPT', `outbox journal line ${index + 1} is no known record`, { details: { path } });
    }
  });
  return devices;
}

/** Writes the compact journal beside the old one, fsyncs, renames it into place; returns it opened for appending. */
async function rewriteJournal(directory: string, devices: ReadonlyMap<string, DeviceRecord>): Promise<FileHandle> {
  const path = join(directory, OUTBOX_JOURNAL_FILE);
  const temporary = `${path}.rewrite`;
  const chunks: string[] = [];
  for (const [id, record] of devices) {
    if (record.lastSeq > 0) chunks.push(line({ h: id, s: record.lastSeq }));
    for (const message of record.pending.values()) {
      chunks.push(line({ m: id, s: message.seq, b: Buffer.from(message.bytes).toString('base64') }));
    }
  }
  const out = await open(temporary, 'w', 0o600);
  try {
    await out.write(chunks.join(''));
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(temporary, path);
  // The rename itself is durable only once the directory is synced.
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return open(path, 'a', 0o600);
}
