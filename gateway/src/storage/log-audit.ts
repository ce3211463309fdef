/**
 * A full audit of a stored log: every entry re-hashed and compared with its stored leaf, every stored
 * interior node recomputed from its children, every signed checkpoint's root recomputed from the tree. This
 * is what `verify: 'full'` on open and `trialgate checkpoints verify --data DIR` run; the default open checks
 * only what lies past the durable point plus the latest checkpoint (docs/storage.md says why).
 */
import { bytesEqual, leafHash, nodeHash, rootFromStore, type TreeNodeReader } from '@trialgate/proof-formats';
import { StorageError } from './storage-error.js';

export interface AuditProblem {
  readonly kind: 'entry' | 'node' | 'checkpoint';
  /** Entry index, `level:index` of a node, or checkpoint tree size. */
  readonly at: string;
  readonly message: string;
}

export interface AuditReport {
  readonly entries: number;
  readonly nodes: number;
  readonly checkpoints: number;
  readonly problems: readonly AuditProblem[];
}

export interface AuditInput {
  readonly size: number;
  readonly readEntry: (index: number) => Uint8Array;
  /** Sequential reading of [from, to), faster than `readEntry` for a whole log (used when given). */
  readonly forEachEntry?: (from: number, to: number, onEntry: (index: number, bytes: Uint8Array) => void) => void;
  readonly treeStore: TreeNodeReader & { nodeCount(level: number): number };
  readonly checkpoints: readonly { readonly treeSize: number; readonly rootHash: Uint8Array }[];
  /** Stop collecting after this many problems (default 100). */
  readonly maxProblems?: number;
  /** Called every 65,536 entries with the entries done so far. */
  readonly onProgress?: (done: number) => void;
}

/** Audits and returns what it found. */
export function auditStoredLogReport(input: AuditInput): AuditReport {
  const problems: AuditProblem[] = [];
  const max = input.maxProblems ?? 100;
  const note = (problem: AuditProblem): void => {
    if (problems.length < max) problems.push(problem);
  };
  const store = input.treeStore;
  const check = (i: number, bytes: Uint8Array): void => {
    if (i >= store.nodeCount(0) || !bytesEqual(leafHash(bytes), store.readNode(0, i))) {
      note({ kind: 'entry', at: String(i), message: 'the entry does not hash to its stored leaf' });
    }
    if (input.onProgress !== undefined && (i + 1) % 65_536 === 0) input.onProgress(i + 1);
  };
  let sequentialDone = false;
  if (input.forEachEntry !== undefined) {
    try {
      input.forEachEntry(0, input.size, check);
      sequentialDone = true;
    } catch {
      // A damaged record stops the scan: start again entry by entry, which names each damaged one.
      problems.length = 0;
    }
  }
  for (let i = 0; !sequentialDone && i < input.size; i++) {
    let bytes: Uint8Array;
    try {
      bytes = input.readEntry(i);
    } catch (error) {
      note({ kind: 'entry', at: String(i), message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    check(i, bytes);
  }
  let nodes = 0;
  for (let level = 1; store.nodeCount(level) > 0; level++) {
    const count = store.nodeCount(level);
    for (let j = 0; j < count; j++) {
      nodes += 1;
      const expected = nodeHash(store.readNode(level - 1, 2 * j), store.readNode(level - 1, 2 * j + 1));
      if (!bytesEqual(expected, store.readNode(level, j))) {
        note({ kind: 'node', at: `${level}:${j}`, message: 'a stored node is not the hash of its children' });
      }
    }
  }
  for (const checkpoint of input.checkpoints) {
    if (checkpoint.treeSize > input.size) {
      note({ kind: 'checkpoint', at: String(checkpoint.treeSize), message: 'the checkpoint is beyond the log' });
    } else if (!bytesEqual(rootFromStore(store, checkpoint.treeSize), checkpoint.rootHash)) {
      note({ kind: 'checkpoint', at: String(checkpoint.treeSize), message: 'the tree does not have the signed root' });
    }
  }
  return { entries: input.size, nodes, checkpoints: input.checkpoints.length, problems };
}

/** Audits and throws E_STORAGE_LOG_ALTERED on the first problems found. */
export function auditStoredLog(input: AuditInput): AuditReport {
  const report = auditStoredLogReport(input);
  const first = report.problems[0];
  if (first !== undefined) {
    throw new StorageError('E_STORAGE_LOG_ALTERED', `the log was altered: ${first.kind} ${first.at}: ${first.message}`, {
      details: { problems: report.problems.slice(0, 10) },
    });
  }
  return report;
}
