import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findAnvilBinary, findOnPath } from './anvil-binary.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findAnvilBinary', () => {
  it('finds the platform binary of the locked @foundry-rs/anvil package', () => {
    const binary = findAnvilBinary();
    expect(binary).not.toBeNull();
    expect(binary).toMatch(/@foundry-rs[\\/]anvil-[a-z0-9]+-[a-z0-9]+[\\/]bin[\\/]anvil(\.exe)?$/);
  });
});

describe('findOnPath', () => {
  it('returns the first directory of PATH that holds the name, skipping empty entries, else null', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tg-on-path-'));
    dirs.push(root);
    const first = path.join(root, 'a');
    const second = path.join(root, 'b');
    mkdirSync(first);
    mkdirSync(second);
    writeFileSync(path.join(second, 'tool'), '#!/bin/sh\n');
    chmodSync(path.join(second, 'tool'), 0o755);
    const pathVariable = ['', first, second].join(path.delimiter);
    expect(findOnPath('tool', pathVariable)).toBe(path.join(second, 'tool'));
    expect(findOnPath('missing', pathVariable)).toBeNull();
    expect(findOnPath('tool', '')).toBeNull();
  });
});
