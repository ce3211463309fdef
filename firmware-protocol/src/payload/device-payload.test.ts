import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborFloat } from '../cbor/cbor-value.js';
import { encodeCbor, type CborEncodable } from '../cbor/encode-cbor.js';
import { createEd25519Signer, ed25519PublicKey } from '../crypto/ed25519-keys.js';
import { createEd25519Verifier } from '../crypto/ed25519-verifier.js';
import { signCoseSign1 } from '../cose/sign-cose-sign1.js';
import { isProtocolError, type ProtocolErrorCode } from '../errors/protocol-error.js';
import { createDeviceMessage, decodeDeviceMessage } from './device-message.js';
import { isPayloadOfType, type DevicePayload } from './device-payload.js';
import { decodeDevicePayload } from './decode-device-payload.js';
import { encodeDevicePayload } from './encode-device-payload.js';
import { protocolErrorCodeOf } from '../testing/protocol-error-code-of.js';
import { referenceDecodeDevicePayload } from './testing/reference-decode-device-payload.js';

const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
const envelope = { v: 1, dev: 'dev-1', seq: 7, t: T };

function raw(fields: Record<string, CborEncodable>, data: Record<string, CborEncodable> | CborEncodable = {}): Uint8Array {
  return encodeCbor(new Map<string, CborEncodable>([...Object.entries({ ...envelope, type: 'heart_rate' }), ['data', data], ...Object.entries(fields)]));
}

const examples: readonly DevicePayload[] = [
  { ...envelope, type: 'heart_rate', data: { bpm: 72, rr_ms: [830, 845] } },
  { ...envelope, type: 'spo2', data: { pct: 97.5, pulse_bpm: 70 } },
  { ...envelope, type: 'body_temp', data: { celsius: 37 } },
  { ...envelope, type: 'blood_pressure', data: { systolic_mmhg: 120, diastolic_mmhg: 80, map_mmhg: 93.3, pulse_bpm: 64 } },
  { ...envelope, type: 'glucose', data: { mg_dl: 104.5 } },
  { ...envelope, type: 'weight', data: { kg: 81.25 } },
  { ...envelope, type: 'steps', data: { count: 1200, interval_s: 900 } },
  {
    ...envelope,
    type: 'dose_event',
    data: { event: 'taken', slot: 3, kit: '(01)09506000134352(21)A1B2(10)LOT7(17)271231', scheduled: T - 60_000 },
  },
  { ...envelope, type: 'device_status', data: { battery_pct: 81, fw: '1.4.2', clock_sync: 'mqtt-downlink', note: 'ok' } },
  { ...envelope, type: 'device_status', data: {} },
];

describe('device payloads: every type round-trips without flags', () => {
  for (const payload of examples) {
    it(`encodes and decodes ${payload.type}`, () => {
      const bytes = encodeDevicePayload(payload);
      expect(decodeDevicePayload(bytes)).toStrictEqual({ payload, flags: [] });
    });
  }

  it('writes float fields as 64-bit floats even when integral, as a C double would', () => {
    const bytes = encodeDevicePayload({ ...envelope, type: 'body_temp', data: { celsius: 37 } });
    expect(Buffer.from(bytes).toString('hex')).toContain('6763656c73697573fb4042800000000000');
  });

  it('accepts integers in float fields (a C encoder may write 97.0 as 97) and half/single floats', () => {
    for (const pct of [97, new CborFloat(97)]) {
      const bytes = encodeCbor(new Map<string, CborEncodable>([...Object.entries({ ...envelope, type: 'spo2' }), ['data', new Map([['pct', pct]])]]));
      expect(decodeDevicePayload(bytes).payload.data).toStrictEqual({ pct: 97 });
    }
    const double = Buffer.from(encodeCbor(new Map<string, CborEncodable>([...Object.entries({ ...envelope, type: 'spo2' }), ['data', { pct: new CborFloat(97) }]]))).toString('hex');
    expect(double).toContain('fb4058400000000000');
    for (const narrower of ['f95610', 'fa42c20000']) {
      const bytes = Uint8Array.from(Buffer.from(double.replace('fb4058400000000000', narrower), 'hex'));
      expect(decodeDevicePayload(bytes).payload.data).toStrictEqual({ pct: 97 });
    }
  });

  it('narrows by type', () => {
    const { payload } = decodeDevicePayload(encodeDevicePayload(examples[0]!));
    expect(isPayloadOfType(payload, 'heart_rate') && payload.data.bpm).toBe(72);
  });
});

describe('device payloads: schema errors', () => {
  const cases: readonly [string, Uint8Array, ProtocolErrorCode, string][] = [
    ['not a map', encodeCbor([1]), 'E_PAYLOAD_SCHEMA', ''],
    ['integer keys', encodeCbor(new Map([[1, 1]])), 'E_PAYLOAD_SCHEMA', ''],
    ['missing v', encodeCbor({ dev: 'a' }), 'E_PAYLOAD_SCHEMA', 'v'],
    ['v 2', raw({ v: 2 }), 'E_PAYLOAD_VERSION', 'v'],
    ['v as text', raw({ v: '1' }), 'E_PAYLOAD_SCHEMA', 'v'],
    ['dev not a device id', raw({ dev: 'a b' }), 'E_PAYLOAD_SCHEMA', 'dev'],
    ['seq 0', raw({ seq: 0 }), 'E_PAYLOAD_SCHEMA', 'seq'],
    ['seq negative', raw({ seq: -1 }), 'E_PAYLOAD_SCHEMA', 'seq'],
    ['seq beyond 2^53', raw({ seq: 2n ** 60n }), 'E_PAYLOAD_SCHEMA', 'seq'],
    ['t as float', raw({ t: new CborFloat(T) }), 'E_PAYLOAD_SCHEMA', 't'],
    ['type as integer', raw({ type: 3 }), 'E_PAYLOAD_SCHEMA', 'type'],
    ['data as array', raw({}, []), 'E_PAYLOAD_SCHEMA', 'data'],
    ['missing bpm', raw({}, {}), 'E_PAYLOAD_SCHEMA', 'data.bpm'],
    ['bpm as float 72.0', raw({}, { bpm: new CborFloat(72) }), 'E_PAYLOAD_SCHEMA', 'data.bpm'],
    ['bpm as text', raw({}, { bpm: '72' }), 'E_PAYLOAD_SCHEMA', 'data.bpm'],
    ['rr_ms not an array', raw({}, { bpm: 72, rr_ms: 800 }), 'E_PAYLOAD_SCHEMA', 'data.rr_ms'],
    ['rr_ms with a float', raw({}, { bpm: 72, rr_ms: [800, new CborFloat(1.5)] }), 'E_PAYLOAD_SCHEMA', 'data.rr_ms[1]'],
    ['celsius NaN', raw({ type: 'body_temp' }, { celsius: new CborFloat(NaN) }), 'E_PAYLOAD_SCHEMA', 'data.celsius'],
    ['celsius infinite', raw({ type: 'body_temp' }, { celsius: new CborFloat(Infinity) }), 'E_PAYLOAD_SCHEMA', 'data.celsius'],
    ['celsius as text', raw({ type: 'body_temp' }, { celsius: '37' }), 'E_PAYLOAD_SCHEMA', 'data.celsius'],
    ['event missing', raw({ type: 'dose_event' }, {}), 'E_PAYLOAD_SCHEMA', 'data.event'],
  ];
  for (const [name, bytes, code, path] of cases) {
    it(`rejects ${name} with ${code} at ${path || 'the root'}`, () => {
      try {
        decodeDevicePayload(bytes);
        expect.unreachable();
      } catch (error) {
        expect(isProtocolError(error) && error.code).toBe(code);
        expect(isProtocolError(error) && error.details['path']).toBe(path);
      }
    });
  }

  it('refuses to encode a payload that does not match its schema', () => {
    expect(protocolErrorCodeOf(() => encodeDevicePayload({ ...envelope, type: 'heart_rate', data: { bpm: 72.5 } }))).toBe('E_PAYLOAD_SCHEMA');
    expect(
      protocolErrorCodeOf(() => encodeDevicePayload({ ...envelope, type: 'heart_rate', data: { bpm: 72 }, extra: { seq: 1 } })),
    ).toBe('E_PAYLOAD_SCHEMA');
  });
});

describe('device payloads: flags, never rewriting', () => {
  const flagged = (payload: DevicePayload): string[] =>
    decodeDevicePayload(encodeDevicePayload(payload)).flags.map((flag) => `${flag.code} ${flag.path}`);

  it('flags implausible values and keeps them unchanged', () => {
    const payload: DevicePayload = { ...envelope, type: 'heart_rate', data: { bpm: 400, rr_ms: [100, 800] } };
    const decoded = decodeDevicePayload(encodeDevicePayload(payload));
    expect(decoded.payload).toStrictEqual(payload);
    expect(decoded.flags.map((flag) => `${flag.code} ${flag.path}`)).toStrictEqual([
      'F_IMPLAUSIBLE_VALUE data.bpm',
      'F_IMPLAUSIBLE_VALUE data.rr_ms[0]',
    ]);
    expect(decoded.flags[0]?.message).toContain('400 beats/min');
  });

  it('flags SpO2 130 %, 50 °C, battery 150 %, and a clock that was never set', () => {
    expect(flagged({ ...envelope, type: 'spo2', data: { pct: 130 } })).toStrictEqual(['F_IMPLAUSIBLE_VALUE data.pct']);
    expect(flagged({ ...envelope, type: 'body_temp', data: { celsius: 50 } })).toStrictEqual(['F_IMPLAUSIBLE_VALUE data.celsius']);
    expect(flagged({ ...envelope, type: 'device_status', data: { battery_pct: 150 } })).toStrictEqual([
      'F_IMPLAUSIBLE_VALUE data.battery_pct',
    ]);
    expect(flagged({ ...envelope, t: 5_000, type: 'weight', data: { kg: 70 } })).toStrictEqual(['F_TIME_IMPLAUSIBLE t']);
    expect(flagged({ ...envelope, t: Math.floor(T / 1000), type: 'weight', data: { kg: 70 } })).toStrictEqual(['F_TIME_IMPLAUSIBLE t']);
  });

  it('flags inconsistent blood pressure and impossible cadence', () => {
    expect(flagged({ ...envelope, type: 'blood_pressure', data: { systolic_mmhg: 80, diastolic_mmhg: 120 } })).toStrictEqual([
      'F_INCONSISTENT_VALUES data.diastolic_mmhg',
    ]);
    expect(
      flagged({ ...envelope, type: 'blood_pressure', data: { systolic_mmhg: 120, diastolic_mmhg: 80, map_mmhg: 130 } }),
    ).toStrictEqual(['F_INCONSISTENT_VALUES data.map_mmhg']);
    expect(flagged({ ...envelope, type: 'steps', data: { count: 1000, interval_s: 60 } })).toStrictEqual([
      'F_INCONSISTENT_VALUES data.count',
    ]);
  });

  it('keeps and flags unknown types, unknown keys and unknown dose events', () => {
    const unknownType: DevicePayload = { ...envelope, type: 'ecg_strip', data: { lead: 'II', samples: new Uint8Array([1, 2]) } };
    const decoded = decodeDevicePayload(encodeDevicePayload(unknownType));
    expect(decoded.payload).toStrictEqual(unknownType);
    expect(decoded.flags.map((flag) => flag.code)).toStrictEqual(['F_UNKNOWN_TYPE']);

    const unknownKeys: DevicePayload = {
      ...envelope,
      type: 'heart_rate',
      data: { bpm: 60, extra: { confidence: new CborFloat(0.9) } },
      extra: { fw_build: 'abc', __proto__: 1 },
    };
    const bytes = encodeDevicePayload(unknownKeys);
    const decodedKeys = decodeDevicePayload(bytes);
    expect(decodedKeys.flags.map((flag) => `${flag.code} ${flag.path}`)).toStrictEqual([
      'F_UNKNOWN_KEY fw_build',
      'F_UNKNOWN_KEY data.confidence',
    ]);
    expect(decodedKeys.payload.data).toStrictEqual({ bpm: 60, extra: { confidence: new CborFloat(0.9) } });

    const proto = encodeCbor(
      new Map<string, CborEncodable>([...Object.entries({ ...envelope, type: 'weight', data: { kg: 70 } }), ['__proto__', { polluted: true }]]),
    );
    const decodedProto = decodeDevicePayload(proto);
    expect(Object.getPrototypeOf(decodedProto.payload.extra)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(decodedProto.payload.extra ?? {})).toStrictEqual(['__proto__']);

    expect(flagged({ ...envelope, type: 'dose_event', data: { event: 'spilled' } })).toStrictEqual(['F_UNKNOWN_VALUE data.event']);
  });
});

describe('device messages', () => {
  const publicKey = ed25519PublicKey(seed);

  it('creates, decodes and verifies a message, kid = dev', () => {
    const payload = examples[0]!;
    const bytes = createDeviceMessage({ payload, secretKey: createEd25519Signer(seed) });
    const decoded = decodeDeviceMessage(bytes, { verifier: createEd25519Verifier(publicKey) });
    expect(decoded.payload).toStrictEqual(payload);
    expect(decoded.cose.kid).toBe('dev-1');
    expect(decoded.flags).toStrictEqual([]);
  });

  it('rejects dev different from the kid with E_KID_MISMATCH', () => {
    const payload = encodeDevicePayload({ ...examples[0]!, dev: 'dev-2' });
    const bytes = signCoseSign1({ kid: 'dev-1', payload, secretKey: seed });
    expect(protocolErrorCodeOf(() => decodeDeviceMessage(bytes))).toBe('E_KID_MISMATCH');
  });

  it('checks the signature before the payload when given a verifier', () => {
    const bytes = signCoseSign1({ kid: 'dev-1', payload: encodeCbor([1]), secretKey: seed });
    const other = createEd25519Verifier(ed25519PublicKey(new Uint8Array(32)));
    expect(protocolErrorCodeOf(() => decodeDeviceMessage(bytes, { verifier: other }))).toBe('E_COSE_SIGNATURE');
    try {
      decodeDeviceMessage(bytes);
      expect.unreachable();
    } catch (error) {
      expect(isProtocolError(error) && error.code).toBe('E_PAYLOAD_SCHEMA');
      expect(isProtocolError(error) && error.details['in']).toBe('payload');
    }
  });

  it('applies the 4 KiB default limit and a configurable one', () => {
    const payload: DevicePayload = { ...envelope, type: 'device_status', data: { note: 'x'.repeat(4100) } };
    const bytes = createDeviceMessage({ payload, secretKey: seed });
    expect(protocolErrorCodeOf(() => decodeDeviceMessage(bytes))).toBe('E_CBOR_TOO_LARGE');
    expect(decodeDeviceMessage(bytes, { maxBytes: 8192 }).payload).toStrictEqual(payload);
  });
});

describe('device payloads: fuzz', () => {
  const anyPayload: fc.Arbitrary<DevicePayload> = fc.constantFrom(...examples);

  it('never throws anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const code = protocolErrorCodeOf(() => decodeDevicePayload(bytes));
        expect(code === 'none' || code.startsWith('E_')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws anything but a ProtocolError on mutated valid payloads and messages', () => {
    fc.assert(
      fc.property(anyPayload, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (payload, position, xor, message) => {
        const bytes = message ? createDeviceMessage({ payload, secretKey: seed }) : encodeDevicePayload(payload);
        const mutated = new Uint8Array(bytes);
        mutated[position % mutated.length]! ^= xor;
        const code = protocolErrorCodeOf(() => (message ? decodeDeviceMessage(mutated) : decodeDevicePayload(mutated)));
        expect(code === 'none' || code.startsWith('E_')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips generated heart-rate and blood-pressure payloads exactly', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.nat({ max: 1000 }),
        fc.array(fc.nat({ max: 5000 }), { maxLength: 8 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (t, seq, bpm, rr, systolic, diastolic) => {
          const hr: DevicePayload = { v: 1, dev: 'x', seq, t, type: 'heart_rate', data: { bpm, rr_ms: rr } };
          expect(decodeDevicePayload(encodeDevicePayload(hr)).payload).toStrictEqual(hr);
          const bp: DevicePayload = { v: 1, dev: 'x', seq, t, type: 'blood_pressure', data: { systolic_mmhg: systolic, diastolic_mmhg: diastolic } };
          expect(decodeDevicePayload(encodeDevicePayload(bp)).payload).toStrictEqual(bp);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decodeDevicePayload: the optimized decoder behaves exactly as the reference implementation', () => {
  /** The payload and flags, or the error's code, message and details. */
  const outcomeOf = (decode: () => unknown): unknown => {
    try {
      return { value: decode() };
    } catch (error) {
      if (isProtocolError(error)) return { code: error.code, message: error.message, details: error.details };
      return { thrown: String(error) };
    }
  };
  const fieldValue: fc.Arbitrary<CborEncodable> = fc.oneof(
    fc.integer({ min: -5, max: 5000 }),
    fc.constantFrom(0, 19, 20, 300, 301, 2 ** 53 - 1, 946_684_800_000, 4_102_444_800_000),
    fc.double().map((d) => new CborFloat(d)),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('taken', 'missed', 'tamper', 'opened'),
    fc.array(fc.oneof(fc.integer({ min: -3, max: 4000 }), fc.double().map((d) => new CborFloat(d)), fc.string({ maxLength: 3 })), { maxLength: 6 }),
    fc.constantFrom(null, true),
  );
  const dataKeys = fc.constantFrom('bpm', 'rr_ms', 'pct', 'pulse_bpm', 'celsius', 'systolic_mmhg', 'diastolic_mmhg', 'map_mmhg', 'mg_dl', 'kg', 'count', 'interval_s', 'event', 'slot', 'kit', 'scheduled', 'battery_pct', 'fw', 'clock_sync', 'note', 'extra_key', '__proto__');
  const payloadMap: fc.Arbitrary<CborEncodable> = fc
    .record(
      {
        v: fc.oneof(fc.constant(1), fieldValue),
        dev: fc.oneof(fc.constant('dev-1'), fieldValue),
        seq: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fieldValue),
        t: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fieldValue),
        type: fc.oneof(fc.constantFrom('heart_rate', 'spo2', 'body_temp', 'blood_pressure', 'glucose', 'weight', 'steps', 'dose_event', 'device_status', 'mystery'), fieldValue),
        data: fc.oneof(fc.uniqueArray(fc.tuple(dataKeys, fieldValue), { maxLength: 6, selector: ([key]) => key }).map((entries) => new Map(entries)), fieldValue),
        note: fieldValue,
      },
      { requiredKeys: [] },
    )
    .map((record) => new Map(Object.entries(record) as [string, CborEncodable][]));

  it('on payload-like maps of every type, with wrong, missing, implausible and unknown fields', () => {
    fc.assert(
      fc.property(payloadMap, (map) => {
        const bytes = encodeCbor(map);
        expect(outcomeOf(() => decodeDevicePayload(bytes))).toStrictEqual(outcomeOf(() => referenceDecodeDevicePayload(bytes)));
      }),
      { numRuns: 3000 },
    );
  });

  it('on well-formed envelopes of every type with random data fields (mostly accepted, often flagged)', () => {
    const types = fc.constantFrom('heart_rate', 'spo2', 'body_temp', 'blood_pressure', 'glucose', 'weight', 'steps', 'dose_event', 'device_status', 'mystery');
    let accepted = 0;
    fc.assert(
      fc.property(types, fc.uniqueArray(fc.tuple(dataKeys, fieldValue), { maxLength: 6, selector: ([key]) => key }), fc.integer({ min: 1, max: 2 ** 40 }), (type, data, seq) => {
        const bytes = encodeCbor(new Map<string, CborEncodable>([['v', 1], ['dev', 'dev-1'], ['seq', seq], ['t', 1_767_225_600_000], ['type', type], ['data', new Map(data)]]));
        const outcome = outcomeOf(() => decodeDevicePayload(bytes));
        if ((outcome as { value?: unknown }).value !== undefined) accepted += 1;
        expect(outcome).toStrictEqual(outcomeOf(() => referenceDecodeDevicePayload(bytes)));
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('on mutated payloads and arbitrary bytes', () => {
    fc.assert(
      fc.property(payloadMap, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.uint8Array({ maxLength: 40 }), (map, mutations, raw) => {
        const bytes = encodeCbor(map);
        for (const [position, byte] of mutations) if (bytes.length > 0) bytes[position % bytes.length] = byte;
        for (const input of [bytes, raw]) {
          expect(outcomeOf(() => decodeDevicePayload(input))).toStrictEqual(outcomeOf(() => referenceDecodeDevicePayload(input)));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
