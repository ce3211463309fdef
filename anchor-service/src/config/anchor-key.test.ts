import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAnchorKey } from './anchor-key.js';

// anvil's first development key: public knowledge, never a real key.
const ANVIL_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ANVIL_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

const dir = mkdtempSync(path.join(tmpdir(), 'tg-anchor-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadAnchorKey', () => {
  it('reads a key file as anvil prints keys, with a trailing newline', () => {
    const file = path.join(dir, 'key');
    writeFileSync(file, `${ANVIL_KEY}\n`, { mode: 0o600 });
    const loaded = loadAnchorKey({ kind: 'file', path: file });
    expect(loaded.signer.address).toBe(ANVIL_ADDRESS);
    expect(loaded.looseFileMode).toBeUndefined();
  });

  it('reports a key file readable by others', () => {
    const file = path.join(dir, 'loose');
    writeFileSync(file, ANVIL_KEY);
    chmodSync(file, 0o644);
    expect(loadAnchorKey({ kind: 'file', path: file }).looseFileMode).toBe('0644');
  });

  it('reads the key from an environment variable', () => {
    const loaded = loadAnchorKey({ kind: 'env', name: 'TG_KEY' }, { TG_KEY: ANVIL_KEY });
    expect(loaded.signer.address).toBe(ANVIL_ADDRESS);
  });

  it('never puts the key, or a wrong key, into the error or the signer', () => {
    const wrong = `${ANVIL_KEY.slice(0, -1)}`; // 63 hex digits
    const file = path.join(dir, 'short');
    writeFileSync(file, wrong);
    let caught: unknown;
    try {
      loadAnchorKey({ kind: 'file', path: file });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'E_ANCHORING_KEY' });
    expect(JSON.stringify(caught)).not.toContain(wrong.slice(2, 20));
    expect(String((caught as Error).message)).not.toContain(wrong.slice(2, 20));
    const signer = loadAnchorKey({ kind: 'env', name: 'K' }, { K: ANVIL_KEY }).signer;
    expect(JSON.stringify(signer)).not.toContain(ANVIL_KEY.slice(2));
  });

  it('refuses a missing file, an empty variable, and the zero key', () => {
    expect(() => loadAnchorKey({ kind: 'file', path: path.join(dir, 'missing') })).toThrow(/cannot read/);
    expect(() => loadAnchorKey({ kind: 'env', name: 'K' }, {})).toThrow(/not set/);
    expect(() => loadAnchorKey({ kind: 'env', name: 'K' }, { K: `0x${'0'.repeat(64)}` })).toThrow(/valid secp256k1/);
  });
});
