import { isTrialgateError } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNoteSigner, formatSignerKey, parseSignerKey } from './note-signer.js';
import { createNoteVerifier, formatVerifierKey, parseVerifierKey } from './note-verifier.js';
import { MAX_NOTE_SIGNATURES, openNote, signNote, splitNote } from './signed-note.js';
import { errorCodeOf } from '../testing/error-code-of.js';

// Known answers of golang.org/x/mod/sumdb/note (note_test.go): the reference implementation of C2SP notes.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

describe('C2SP signed notes: golang.org/x/mod/sumdb/note known answers', () => {
  it('signs the Go test note byte for byte (Ed25519 is deterministic)', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.verifierKey).toBe(PETER_VKEY);
    expect(signNote(TEXT, [signer])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('formats the signer and verifier keys as Go does', () => {
    const signer = parseSignerKey(PETER_SKEY);
    const seed = new Uint8Array(Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1));
    expect(formatSignerKey('PeterNeumann', seed)).toBe(PETER_SKEY);
    expect(formatVerifierKey('PeterNeumann', signer.publicKey)).toBe(PETER_VKEY);
    expect(createNoteVerifier('PeterNeumann', signer.publicKey).keyId).toBe(0xc74f20a3);
  });

  it('verifies the known key and ignores the unknown one', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [parseVerifierKey(PETER_VKEY)]);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unknown.map((s) => [s.name, s.keyIdHex])).toEqual([['EnochRoot', 'af0cfe78']]);
  });

  it('verifies both when both keys are known', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [parseVerifierKey(PETER_VKEY), parseVerifierKey(ENOCH_VKEY)]);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
  });

  it('rejects a note signed by no known key', () => {
    expect(errorCodeOf(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []))).toBe('E_NOTE_UNVERIFIED');
    expect(errorCodeOf(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [parseVerifierKey(PETER_VKEY)]))).toBe('E_NOTE_UNVERIFIED');
  });

  it('rejects the whole note when a known key signature fails, even next to a good one', () => {
    const bad = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(errorCodeOf(() => openNote(`${TEXT}\n${bad}`, [parseVerifierKey(PETER_VKEY)]))).toBe('E_NOTE_SIGNATURE');
    expect(errorCodeOf(() => openNote(`${TEXT}\n${PETER_SIG}${bad}`, [parseVerifierKey(PETER_VKEY)]))).toBe('E_NOTE_SIGNATURE');
    expect(errorCodeOf(() => openNote(`${TEXT.replace('cryptography', 'cryptographY')}\n${PETER_SIG}`, [parseVerifierKey(PETER_VKEY)]))).toBe('E_NOTE_SIGNATURE');
  });

  it('ignores a signature that shares the name but not the ID of a known key, and the reverse', () => {
    const otherId = PETER_SIG.replace('x08g', 'xxxx');
    expect(errorCodeOf(() => openNote(`${TEXT}\n${otherId}`, [parseVerifierKey(PETER_VKEY)]))).toBe('E_NOTE_UNVERIFIED');
    const otherName = PETER_SIG.replace('PeterNeumann', 'CarmenSandiego');
    expect(errorCodeOf(() => openNote(`${TEXT}\n${otherName}`, [parseVerifierKey(PETER_VKEY)]))).toBe('E_NOTE_UNVERIFIED');
  });

  it('refuses two different known keys with the same name and ID', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const impostor = { ...createNoteVerifier('PeterNeumann', createNoteSigner('x', new Uint8Array(32).fill(7)).publicKey), keyId: peter.keyId };
    expect(errorCodeOf(() => openNote(`${TEXT}\n${PETER_SIG}`, [peter, impostor]))).toBe('E_NOTE_AMBIGUOUS_KEY');
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [peter, peter]).verified).toHaveLength(1);
  });

  it('refuses malformed notes as Go does', () => {
    const peter = [parseVerifierKey(PETER_VKEY)];
    for (const message of [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.replace('—', '-')}`,
      `${TEXT}\r\n${PETER_SIG}`,
      `${TEXT}\n${PETER_SIG.replace('AM=', 'AN=')}`, // non-canonical base64 padding bits
      `${TEXT}\ud800\n${PETER_SIG}`,
    ]) {
      expect(errorCodeOf(() => openNote(message, peter)), JSON.stringify(message)).toBe('E_NOTE_MALFORMED');
    }
    expect(errorCodeOf(() => openNote(new Uint8Array([0xff, 0x0a, 0x0a]), peter))).toBe('E_NOTE_MALFORMED');
  });

  it(`accepts ${MAX_NOTE_SIGNATURES} signature lines and refuses more`, () => {
    const peter = [parseVerifierKey(PETER_VKEY)];
    expect(openNote(`${TEXT}\n${PETER_SIG.repeat(MAX_NOTE_SIGNATURES)}`, peter).verified).toHaveLength(MAX_NOTE_SIGNATURES);
    expect(errorCodeOf(() => openNote(`${TEXT}\n${PETER_SIG.repeat(MAX_NOTE_SIGNATURES + 1)}`, peter))).toBe('E_NOTE_MALFORMED');
  });

  it('refuses every mangled verifier key, as Go does', () => {
    const bytes = [...PETER_VKEY];
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i + 1; j <= bytes.length; j++) {
        if (i === 0 && j === bytes.length) continue;
        expect(errorCodeOf(() => parseVerifierKey(PETER_VKEY.slice(i, j)))).toBe('E_VERIFIER_KEY');
      }
    }
    for (let i = 0; i < bytes.length; i++) {
      const mangled = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expect(errorCodeOf(() => parseVerifierKey(mangled)), mangled).toBeDefined();
    }
    expect(errorCodeOf(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='))).toBe('E_VERIFIER_KEY');
    expect(errorCodeOf(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe('E_VERIFIER_KEY');
  });

  it('signs with several keys and refuses texts that do not end in a newline', () => {
    const a = createNoteSigner('a.example/log', new Uint8Array(32).fill(1));
    const b = createNoteSigner('b.example/witness', new Uint8Array(32).fill(2));
    const note = signNote('hello\n', [a, b]);
    expect(openNote(note, [createNoteVerifier(b.name, b.publicKey)]).unknown.map((s) => s.name)).toEqual(['a.example/log']);
    expect(errorCodeOf(() => signNote('hello', [a]))).toBe('E_NOTE_MALFORMED');
    expect(errorCodeOf(() => signNote('', [a]))).toBe('E_NOTE_MALFORMED');
    expect(errorCodeOf(() => createNoteSigner('a b', new Uint8Array(32)))).toBe('E_NOTE_KEY_NAME');
    expect(errorCodeOf(() => createNoteSigner('a+b', new Uint8Array(32)))).toBe('E_NOTE_KEY_NAME');
    expect(errorCodeOf(() => createNoteSigner('a\u00a0b', new Uint8Array(32)))).toBe('E_NOTE_KEY_NAME');
  });
});

describe('signed notes on attacker-controlled input (fast-check)', () => {
  const peter = [parseVerifierKey(PETER_VKEY)];
  const valid = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

  it('arbitrary text never crashes the parser: only typed errors', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        expect(errorCodeOf(() => openNote(text, peter))).toBeDefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('a mutated valid note is either rejected with a typed error or opens to exactly the signed text', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.nat(valid.length), fc.string({ unit: 'binary', maxLength: 4 }), (at, deleteCount, insert) => {
        const mutated = valid.slice(0, at) + insert + valid.slice(Math.min(valid.length, at + (deleteCount % 5)));
        let opened;
        try {
          opened = openNote(mutated, peter);
        } catch (error) {
          expect(isTrialgateError(error)).toBe(true);
          return;
        }
        expect(opened.text).toBe(TEXT);
      }),
      { numRuns: 3000 },
    );
  });

  it('splitNote on arbitrary bytes throws only typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          splitNote(bytes);
        } catch (error) {
          expect(isTrialgateError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
