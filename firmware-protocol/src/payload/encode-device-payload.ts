import { CborFloat, type CborValue } from '../cbor/cbor-value.js';
import { encodeCbor, type CborEncodable } from '../cbor/encode-cbor.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { isKnownPayloadType, type DevicePayload } from './device-payload.js';
import { decodeDevicePayload } from './decode-device-payload.js';
import { PAYLOAD_DATA_SCHEMAS } from './payload-schemas.js';

const ENVELOPE_KEYS = ['v', 'dev', 'seq', 't', 'type', 'data'];

/**
 * Encodes a payload as a C firmware would (see `encodeCbor`): a definite-length map with text keys in the
 * order `v, dev, seq, t, type, data` and then any `extra` keys; `data` fields in the order of the spec table;
 * uint fields as CBOR integers, float fields always as 64-bit floats (`fb ...`, C `double`), even when integral
 * (37.0 stays a float). The result is checked with `decodeDevicePayload`, so this never writes a payload the
 * gateway rejects: a schema error throws E_PAYLOAD_SCHEMA. (Flags are allowed: simulators send implausible
 * readings on purpose.)
 */
export function encodeDevicePayload(payload: DevicePayload): Uint8Array {
  const data = payload.data as Readonly<Record<string, unknown>>;
  let dataMap: Map<string, CborEncodable>;
  if (isKnownPayloadType(payload.type)) {
    dataMap = new Map();
    for (const field of PAYLOAD_DATA_SCHEMAS[payload.type]) {
      const value = data[field.name];
      if (value === undefined) continue;
      dataMap.set(field.name, field.kind === 'float' && typeof value === 'number' ? new CborFloat(value) : (value as CborEncodable));
    }
    addExtra(dataMap, data['extra'] as Readonly<Record<string, CborValue>> | undefined, new Set(dataMap.keys()), 'data.');
  } else {
    dataMap = new Map(Object.entries(data as Readonly<Record<string, CborEncodable>>));
  }
  const top = new Map<string, CborEncodable>([
    ['v', payload.v],
    ['dev', payload.dev],
    ['seq', payload.seq],
    ['t', payload.t],
    ['type', payload.type],
    ['data', dataMap],
  ]);
  addExtra(top, payload.extra, new Set(ENVELOPE_KEYS), '');
  const bytes = encodeCbor(top);
  decodeDevicePayload(bytes, { maxBytes: Math.max(bytes.length, 1) });
  return bytes;
}

function addExtra(
  target: Map<string, CborEncodable>,
  extra: Readonly<Record<string, CborValue>> | undefined,
  reserved: ReadonlySet<string>,
  prefix: string,
): void {
  if (extra === undefined) return;
  for (const [key, value] of Object.entries(extra)) {
    if (reserved.has(key) || target.has(key)) {
      throw new ProtocolError('E_PAYLOAD_SCHEMA', `${prefix}extra.${key}: an extra key may not repeat a field of the spec`, {
        details: { path: `${prefix}${key}` },
      });
    }
    target.set(key, value);
  }
}
