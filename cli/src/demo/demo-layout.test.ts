import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoLayout, prepareOutDir } from './demo-layout.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-demo-layout-'));
  dirs.push(dir);
  return dir;
}

describe('prepareOutDir', () => {
  it('creates the layout in a new directory and marks it as the demo\'s', () => {
    const layout = demoLayout(path.join(scratch(), 'demo-out'));
    expect(prepareOutDir(layout)).toEqual({ replacedPreviousRun: false });
    expect(existsSync(layout.gatewayData) && existsSync(layout.logs) && existsSync(layout.marker)).toBe(true);
  });

  it('replaces only a previous run\'s files, keeping anything else the user put there', () => {
    const layout = demoLayout(path.join(scratch(), 'demo-out'));
    prepareOutDir(layout);
    writeFileSync(layout.bundle, '{}');
    writeFileSync(path.join(layout.gatewayData, 'log.seg'), 'x');
    writeFileSync(path.join(layout.root, 'my-notes.txt'), 'keep me');
    expect(prepareOutDir(layout)).toEqual({ replacedPreviousRun: true });
    expect(existsSync(layout.bundle)).toBe(false);
    expect(readdirSync(layout.gatewayData)).toEqual([]);
    expect(existsSync(path.join(layout.root, 'my-notes.txt'))).toBe(true);
  });

  it('refuses a non-empty directory that is not a demo\'s, and a file, changing nothing (E_DEMO_OUT_DIR)', () => {
    const root = path.join(scratch(), 'mine');
    mkdirSync(root);
    writeFileSync(path.join(root, 'thesis.tex'), 'precious');
    expect(() => prepareOutDir(demoLayout(root))).toThrow(/not from a demo run/);
    expect(readdirSync(root)).toEqual(['thesis.tex']);
    const file = path.join(scratch(), 'file');
    writeFileSync(file, '');
    expect(() => prepareOutDir(demoLayout(file))).toThrow(/is a file/);
  });
});
