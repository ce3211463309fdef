import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryOffsetIndex } from './entry-offset-index.js';
import { nodeFileSystem } from './storage-file-system.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('EntryOffsetIndex', () => {
  it('reads back every offset it appended, up to 2^53 - 1, as u64 big-endian on disk', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER)), { maxLength: 8 }), { maxLength: 4 }), (batches) => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-offsets-'));
        dirs.push(directory);
        const index = EntryOffsetIndex.open({ directory, fileSystem: nodeFileSystem, readOnly: false });
        const all = batches.flat();
        for (const batch of batches) index.append(batch);
        expect(all.map((_, i) => index.read(i))).toEqual(all);
        const file = fs.readFileSync(path.join(directory, 'offsets.idx'));
        expect(all.map((_, i) => Number(file.readBigUInt64BE(8 * i)))).toEqual(all);
        index.close();
      }),
      { numRuns: 100 },
    );
  });
});
