/**
 * Crash recovery with real processes: a child appends (many in flight, group commit, fsync) and is killed
 * with SIGKILL at a random moment, again and again; retransmissions overlap what it may have appended.
 * After every kill, reopening must find every acknowledged append exactly once, at the index it was given,
 * with no half-written entry, and a tree and checkpoint that check out. Uses the built dist (`npx tsc -b`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeLogEntry, IncrementalTree, MemoryTreeHashStore } from '@trialgate/proof-formats';
import { coseSeqClaimOf } from './seq-claim-of-entry.js';
import { openLogStore } from './log-store.js';

const child = fileURLToPath(new URL('../../dist/storage/testing/crash-appender.js', import.meta.url));
const ORIGIN = 'trial.example/crash/gw';

interface Ack {
  readonly seq: number;
  readonly status: string;
  readonly index: number;
}

function runUntilKilled(dataDir: string, startSeq: number, killAfterMs: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dataDir, 'wearable-crash', String(startSeq)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const [kind, a, b, c] = line.split(' ');
        if (kind === 'ready' && timer === undefined) timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
        if (kind === 'ack') acks.push({ seq: Number(a), status: b ?? '', index: Number(c) });
        newline = buffer.indexOf('\n');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the appender exited by itself: ${stderr}`));
      else resolve(acks);
    });
  });
}

describe('DurableGatewayLog crash recovery (SIGKILL, real processes)', () => {
  it('keeps every acknowledged append exactly once across 12 kills at random moments', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-crash-'));
    try {
      const acknowledged = new Map<number, number>();
      let nextSeq = 1;
      for (let round = 0; round < 12; round++) {
        // Retransmit a window before the highest acknowledged seq, as devices without a PUBACK do.
        const start = Math.max(1, nextSeq - 40);
        const acks = await runUntilKilled(dataDir, start, 150 + Math.floor(Math.random() * 500));
        for (const ack of acks) {
          expect(['appended', 'duplicate']).toContain(ack.status);
          const known = acknowledged.get(ack.seq);
          if (known !== undefined) expect(ack.index).toBe(known);
          acknowledged.set(ack.seq, ack.index);
          nextSeq = Math.max(nextSeq, ack.seq + 1);
        }

        const store = openLogStore({ dataDir, origin: ORIGIN });
        try {
          const size = store.log.size();
          const seen = new Map<number, number>();
          const reference = IncrementalTree.open(new MemoryTreeHashStore());
          store.log.forEachEntry(0, size, (index, bytes) => {
            const claim = coseSeqClaimOf(decodeLogEntry(bytes));
            expect(claim, `entry ${index} is a whole device message`).not.toBeNull();
            const seq = claim?.seq ?? -1;
            expect(seen.has(seq), `seq ${seq} logged twice`).toBe(false);
            seen.set(seq, index);
            reference.appendEntries([bytes.slice()]);
          });
          for (const [seq, index] of acknowledged) {
            expect(seen.get(seq), `acknowledged seq ${seq} at ${index}`).toBe(index);
          }
          expect(store.tree.root(size)).toEqual(reference.root());
          await store.checkpoints.append({ treeSize: size, rootHash: store.tree.root(size), note: `round ${round}`, signedAtMs: round }, round).catch(
            () => undefined,
          );
        } finally {
          await store.close();
        }
      }
      expect(acknowledged.size).toBeGreaterThan(200);
      // Finally, a full audit: every entry re-hashed, every node and checkpoint recomputed.
      const audited = openLogStore({ dataDir, origin: ORIGIN, verify: 'full' });
      await audited.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
