import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCborStrict } from '../cbor/decode-cbor-strict.js';
import { decodeCoseSign1 } from '../cose/decode-cose-sign1.js';
import { signCoseSign1 } from '../cose/sign-cose-sign1.js';
import { coseSigStructure } from '../cose/cose-sig-structure.js';
import { verifyCoseSign1 } from '../cose/verify-cose-sign1.js';
import { ed25519PublicKey, ed25519Sign } from '../crypto/ed25519-keys.js';
import { createEd25519Verifier } from '../crypto/ed25519-verifier.js';
import { isProtocolError } from '../errors/protocol-error.js';
import { decodeGattValue } from '../gatt/decode-gatt-value.js';
import { decodeFloat, decodeSfloat } from '../gatt/ieee11073-float.js';
import { decodeDeviceMessage } from '../payload/device-message.js';
import { decodeDevicePayload } from '../payload/decode-device-payload.js';
import { cobsDecode, cobsEncode } from '../serial/cobs.js';
import { crc32 } from '../serial/crc32.js';
import { decodeSerialFrame, encodeSerialFrame } from '../serial/serial-frame.js';
import { SerialFrameParser, type SerialFrameResult } from '../serial/serial-frame-parser.js';
import { createConnectToken, decodeConnectToken } from '../token/connect-token.js';
import { buildVectorFiles, serializeVectorFile } from './build-vectors.js';
import { fromHex, toHex, toVectorJson } from './vector-json.js';

// Each case is read from the committed JSON, as a firmware team's harness would, and checked against the
// decoders directly: the files are the contract, the implementation must keep matching them.
const directory = fileURLToPath(new URL('../../vectors/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read from disk; each field is used as the README documents it.
type Json = any;
const load = (name: string): Json => JSON.parse(readFileSync(`${directory}${name}`, 'utf8'));

function errorOf(fn: () => unknown): { code: string; path?: unknown } | 'none' {
  try {
    fn();
    return 'none';
  } catch (error) {
    if (isProtocolError(error)) return { code: error.code, path: error.details['path'] };
    throw error;
  }
}

describe('test vectors: files', () => {
  it('are exactly what build-vectors.ts generates (regenerate with generate-vectors.js and review the diff)', () => {
    const built = buildVectorFiles();
    expect(readdirSync(directory).filter((name) => name.endsWith('.json')).sort()).toStrictEqual(Object.keys(built).sort());
    for (const [name, vectorFile] of Object.entries(built)) {
      expect(readFileSync(`${directory}${name}`, 'utf8'), name).toBe(serializeVectorFile(vectorFile));
    }
  });

  it('all declare the format trialgate-vectors/1', () => {
    for (const name of Object.keys(buildVectorFiles())) expect(load(name).format).toBe('trialgate-vectors/1');
  });
});

describe('test vectors: cases', () => {
  it('cbor.json', () => {
    const suite = load('cbor.json');
    for (const c of suite.valid) expect(toVectorJson(decodeCborStrict(fromHex(c.hex))), c.name).toStrictEqual(c.value);
    for (const c of suite.invalid) expect(errorOf(() => decodeCborStrict(fromHex(c.hex), c.options ?? {})), c.name).toMatchObject({ code: c.error });
  });

  it('cose-sign1.json: byte-exact signing, decoding, signature checks, errors', () => {
    const suite = load('cose-sign1.json');
    const seeds = new Map<string, Uint8Array>(suite.keys.map((k: Json) => [k.name, fromHex(k.seed)]));
    for (const key of suite.keys) expect(toHex(ed25519PublicKey(fromHex(key.seed)))).toBe(key.publicKey);
    for (const c of suite.signing) {
      const seed = seeds.get(c.key)!;
      const payload = fromHex(c.payload);
      expect(toHex(coseSigStructure(fromHex('a10127'), payload)), c.name).toBe(c.sigStructure);
      expect(toHex(ed25519Sign(fromHex(c.sigStructure), seed)), c.name).toBe(c.signature);
      expect(toHex(signCoseSign1({ kid: c.kid, payload, secretKey: seed })), c.name).toBe(c.message);
    }
    for (const c of suite.valid) {
      const cose = decodeCoseSign1(fromHex(c.hex));
      expect({ protected: toHex(cose.protectedBytes), kid: cose.kid, payload: toHex(cose.payloadBytes), signature: toHex(cose.signature) }, c.name).toStrictEqual(c.expected);
      for (const implementation of ['node', 'noble'] as const) {
        expect(verifyCoseSign1(cose, createEd25519Verifier(fromHex(c.publicKey), { implementation })), c.name).toBe(c.signatureValid);
      }
    }
    for (const c of suite.invalid) expect(errorOf(() => decodeCoseSign1(fromHex(c.hex))), c.name).toMatchObject({ code: c.error });
  });

  it('payload.json: payloads and flags (code and path), schema errors (code and path)', () => {
    const suite = load('payload.json');
    for (const c of suite.valid) {
      const decoded = decodeDevicePayload(fromHex(c.hex));
      expect({ payload: toVectorJson(decoded.payload), flags: decoded.flags.map((f) => ({ code: f.code, path: f.path })) }, c.name).toStrictEqual(c.expected);
    }
    for (const c of suite.invalid) {
      const error = errorOf(() => decodeDevicePayload(fromHex(c.hex)));
      expect(error, c.name).toMatchObject({ code: c.error, ...(c.path === undefined ? {} : { path: c.path }) });
    }
  });

  it('device-message.json', () => {
    const suite = load('device-message.json');
    for (const c of suite.valid) {
      const decoded = decodeDeviceMessage(fromHex(c.hex), { verifier: createEd25519Verifier(fromHex(c.publicKey)) });
      expect({ kid: decoded.cose.kid, payload: toVectorJson(decoded.payload), flags: decoded.flags.map((f) => ({ code: f.code, path: f.path })) }, c.name).toStrictEqual(c.expected);
    }
    for (const c of suite.invalid) {
      expect(errorOf(() => decodeDeviceMessage(fromHex(c.hex), { verifier: createEd25519Verifier(fromHex(c.publicKey)) })), c.name).toMatchObject({ code: c.error });
    }
  });

  it('connect-token.json', () => {
    const suite = load('connect-token.json');
    const cose = load('cose-sign1.json');
    const seeds = new Map<string, Uint8Array>(cose.keys.map((k: Json) => [k.name, fromHex(k.seed)]));
    for (const c of suite.signing) {
      expect(toHex(createConnectToken({ deviceId: c.deviceId, secretKey: seeds.get(c.key)!, issuedAtMs: c.issuedAtMs })), c.name).toBe(c.token);
    }
    for (const c of suite.valid) expect(toVectorJson(decodeConnectToken(fromHex(c.hex)).token), c.name).toStrictEqual(c.expected);
    for (const c of suite.invalid) expect(errorOf(() => decodeConnectToken(fromHex(c.hex))), c.name).toMatchObject({ code: c.error });
  });

  it('serial.json: CRC-32, COBS, frames and a resynchronising stream', async () => {
    const suite = load('serial.json');
    for (const c of suite.crc32) {
      expect(crc32(fromHex(c.hex)), c.name).toBe(c.crc32);
      expect(toHex(Buffer.from(new Uint32Array([c.crc32]).buffer)), c.name).toBe(c.crc32le);
    }
    for (const c of suite.cobs) {
      expect(toHex(cobsEncode(fromHex(c.decoded))), c.name).toBe(c.encoded);
      if (c.decoded !== '') expect(toHex(cobsDecode(fromHex(c.encoded))), c.name).toBe(c.decoded);
    }
    for (const c of suite.valid) {
      expect(toHex(encodeSerialFrame(fromHex(c.payload))), c.name).toBe(c.frame);
      expect(toHex(decodeSerialFrame(fromHex(c.frame).subarray(0, -1))), c.name).toBe(c.payload);
    }
    for (const c of suite.invalid) expect(errorOf(() => decodeSerialFrame(fromHex(c.frameWithoutDelimiter))), c.name).toMatchObject({ code: c.error });
    for (const c of suite.streams) {
      const results: SerialFrameResult[] = [];
      await new Promise<void>((resolve, reject) => {
        Readable.from([Buffer.from(fromHex(c.stream))])
          .pipe(new SerialFrameParser())
          .on('data', (r: SerialFrameResult) => results.push(r))
          .on('end', resolve)
          .on('error', reject);
      });
      expect(results.map((r) => (r.ok ? { payload: toHex(r.payload) } : { error: r.error.code })), c.name).toStrictEqual(c.results);
    }
  });

  it('gatt.json', () => {
    const suite = load('gatt.json');
    for (const c of suite.valid) expect(toVectorJson(decodeGattValue(c.uuid, fromHex(c.hex))), c.name).toStrictEqual(c.expected);
    for (const c of suite.invalid) expect(errorOf(() => decodeGattValue(c.uuid, fromHex(c.hex))), c.name).toMatchObject({ code: c.error });
  });

  it('ieee11073.json', () => {
    const suite = load('ieee11073.json');
    for (const c of suite.sfloat) {
      expect(Buffer.from(fromHex(c.hex)).readUInt16LE(0)).toBe(c.raw);
      expect(toVectorJson(decodeSfloat(c.raw))).toStrictEqual(c.expected);
    }
    for (const c of suite.float) {
      expect(Buffer.from(fromHex(c.hex)).readUInt32LE(0)).toBe(c.raw);
      expect(toVectorJson(decodeFloat(c.raw))).toStrictEqual(c.expected);
    }
  });
});
