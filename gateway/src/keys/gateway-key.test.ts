import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNoteVerifier, openNote, signNote } from '@trialgate/proof-formats';
import { GATEWAY_KEY_FILE, loadGatewayKey, loadOrCreateGatewayKey } from './gateway-key.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-key-'));
  dirs.push(dir);
  return dir;
}

describe('gateway key', () => {
  it('is created once, mode 0600, named after the origin, and read back identically', () => {
    const dataDir = freshDir();
    const first = loadOrCreateGatewayKey({ dataDir, origin: 'trial.example/site-1/gw' });
    expect(first.created).toBe(true);
    expect(fs.statSync(path.join(dataDir, GATEWAY_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(first.verifierKey).toMatch(/^trial\.example\/site-1\/gw\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
    const again = loadOrCreateGatewayKey({ dataDir, origin: 'trial.example/site-1/gw' });
    expect(again.created).toBe(false);
    expect(again.verifierKey).toBe(first.verifierKey);
    expect(loadGatewayKey(dataDir).verifierKey).toBe(first.verifierKey);
    expect(fs.readdirSync(dataDir)).toEqual([GATEWAY_KEY_FILE]);
  });

  it('signs notes that verify under its verifier key', () => {
    const key = loadOrCreateGatewayKey({ dataDir: freshDir(), origin: 'o.example/gw' });
    const note = signNote('o.example/gw\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', [key.signer]);
    expect(openNote(note, [createNoteVerifier(key.origin, key.publicKey)]).text).toContain('o.example/gw');
  });

  it('uses the randomness port', () => {
    const seed = new Uint8Array(32).fill(7);
    const a = loadOrCreateGatewayKey({ dataDir: freshDir(), origin: 'o/gw', randomBytes: () => seed.slice() });
    const b = loadOrCreateGatewayKey({ dataDir: freshDir(), origin: 'o/gw', randomBytes: () => seed.slice() });
    expect(a.verifierKey).toBe(b.verifierKey);
  });

  it('refuses the key of another origin, a group-readable key file, and a missing one, without quoting the key', () => {
    const dataDir = freshDir();
    loadOrCreateGatewayKey({ dataDir, origin: 'a/gw' });
    expect(() => loadOrCreateGatewayKey({ dataDir, origin: 'b/gw' })).toThrow(
      expect.objectContaining({ code: 'E_KEY_ORIGIN_MISMATCH' }),
    );
    fs.chmodSync(path.join(dataDir, GATEWAY_KEY_FILE), 0o644);
    expect(() => loadGatewayKey(dataDir)).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
    expect(() => loadGatewayKey(freshDir())).toThrow(expect.objectContaining({ code: 'E_KEY_NOT_FOUND' }));
    const other = freshDir();
    fs.writeFileSync(path.join(other, GATEWAY_KEY_FILE), 'PRIVATE+KEY+x+00000000+secretmaterial\n', { mode: 0o600 });
    try {
      loadGatewayKey(other);
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('secretmaterial');
      expect(String((error as Error).message)).not.toContain('secretmaterial');
    }
  });
});
