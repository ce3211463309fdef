import {
  CborFloat,
  CborTag,
  SerialFrameParser,
  createEd25519Verifier,
  decodeCborStrict,
  decodeConnectToken,
  decodeCoseSign1,
  decodeDevicePayload,
  decodeGattValue,
  isProtocolError,
  verifyCoseSign1,
  type CoseSign1,
  type PayloadFlag,
  type ProtocolError,
  type SerialFrameResult,
} from '@trialgate/firmware-protocol';
import { hexContext, toHex } from './inspect-hex.js';

/**
 * What `trialgate inspect` found: a verdict, lines for a person, and the same as JSON data. Pure (no I/O), so
 * that it is unit-tested without spawning the CLI. Attacker-controlled input: whatever a device sent, pasted.
 */
export type InspectInput =
  | { readonly kind: 'cose'; readonly bytes: Uint8Array }
  | { readonly kind: 'gatt'; readonly uuid: string; readonly bytes: Uint8Array }
  | { readonly kind: 'frame'; readonly bytes: Uint8Array };

export interface InspectOptions {
  /** The device's Ed25519 public key; without it the signature is not checked. */
  readonly publicKey?: Uint8Array;
}

export interface InspectProblem {
  readonly code: string;
  readonly message: string;
  readonly where?: string;
  readonly offset?: number;
}

export interface InspectReport {
  /** True when everything decoded, the signature (if checked) is valid and no flag applies. */
  readonly ok: boolean;
  readonly lines: readonly string[];
  readonly json: Readonly<Record<string, unknown>>;
}

export async function inspect(input: InspectInput, options: InspectOptions = {}): Promise<InspectReport> {
  switch (input.kind) {
    case 'cose':
      return inspectCose(input.bytes, options, '');
    case 'gatt':
      return inspectGatt(input.uuid, input.bytes);
    case 'frame':
      return inspectFrames(input.bytes, options);
  }
}

function inspectCose(bytes: Uint8Array, options: InspectOptions, indent: string): InspectReport {
  const lines: string[] = [`${indent}COSE_Sign1 device message, ${bytes.length} bytes`];
  const problems: InspectProblem[] = [];
  let cose: CoseSign1;
  try {
    cose = decodeCoseSign1(bytes);
  } catch (error) {
    const problem = describeError(error, 'message');
    lines.push(...problemLines(problem, bytes, indent));
    return { ok: false, lines, json: { kind: 'cose', ok: false, problems: [problem] } };
  }
  lines.push(`${indent}  structure   ok: tag 18, protected a10127 (alg EdDSA), kid ${JSON.stringify(cose.kid)}, ${cose.payloadBytes.length}-byte payload, 64-byte signature`);

  let signature: 'valid' | 'invalid' | 'not-checked' = 'not-checked';
  if (options.publicKey !== undefined) {
    signature = verifyCoseSign1(cose, createEd25519Verifier(options.publicKey)) ? 'valid' : 'invalid';
    if (signature === 'invalid') {
      problems.push({
        code: 'E_COSE_SIGNATURE',
        message:
          'the signature does not verify under the given public key: check that the device signs Sig_structure = ["Signature1", h\'a10127\', h\'\', payload] (RFC 9052 section 4.4) with the key whose public half you gave',
        where: 'signature',
      });
    }
  }
  lines.push(`${indent}  signature   ${signature === 'not-checked' ? 'not checked (give --public-key BASE64 to check it)' : signature === 'valid' ? 'valid' : 'INVALID'}`);

  let flags: readonly PayloadFlag[] = [];
  let payload: unknown;
  const payloadOffset = locatePayload(bytes, cose);
  if (looksLikeConnectToken(cose.payloadBytes)) {
    // A connect token (spec section 3) is a COSE_Sign1 too; its payload is {v, dev, purpose, iat}.
    try {
      const { token } = decodeConnectToken(bytes);
      payload = token;
      lines.push(`${indent}  token       connect token for ${JSON.stringify(token.dev)}, issued at ${new Date(token.iat).toISOString()} (the gateway accepts it within 300 s of its clock, once)`);
    } catch (error) {
      problems.push(describeError(error, 'token'));
    }
  } else {
    ({ payload, flags } = readDevicePayload(cose, payloadOffset, lines, problems, indent));
  }
  if (flags.length === 0) lines.push(`${indent}  flags       none`);
  else {
    lines.push(`${indent}  flags`);
    for (const flag of flags) lines.push(`${indent}    ${flag.code} ${flag.path}: ${flag.message}`);
  }
  for (const problem of problems) lines.push(...problemLines(problem, bytes, indent));
  const ok = problems.length === 0 && flags.length === 0;
  lines.push(`${indent}  verdict     ${ok ? 'OK' : problems.length > 0 ? 'PROBLEM' : 'FLAGGED'}`);
  return {
    ok,
    lines,
    json: {
      kind: 'cose',
      ok,
      cose: toInspectJson(cose),
      signature,
      ...(payload === undefined ? {} : { payload: toInspectJson(payload) }),
      flags: flags.map((flag) => ({ ...flag })),
      problems,
    },
  };
}

function inspectGatt(uuid: string, bytes: Uint8Array): InspectReport {
  const lines: string[] = [`GATT characteristic ${uuid}, ${bytes.length} bytes`];
  try {
    const value = decodeGattValue(uuid, bytes);
    const json = toInspectJson(value) as Record<string, unknown>;
    lines.push(`  ${value.characteristic}`);
    for (const [key, field] of Object.entries(json)) {
      if (key === 'characteristic' || key === 'uuid') continue;
      lines.push(`    ${key.padEnd(22)} ${describeGattField(field)}`);
    }
    const notes: string[] = [];
    const reserved = 'reservedFlags' in value ? value.reservedFlags : 0;
    if (reserved !== 0) notes.push(`reserved flag bits 0x${reserved.toString(16).padStart(2, '0')} are set; receivers ignore them, but a device should send 0`);
    for (const note of notes) lines.push(`  note: ${note}`);
    lines.push('  verdict     OK');
    return { ok: true, lines, json: { kind: 'gatt', ok: true, value: json, notes } };
  } catch (error) {
    const problem = describeError(error, 'value');
    lines.push(...problemLines(problem, bytes, ''));
    return { ok: false, lines, json: { kind: 'gatt', ok: false, problems: [problem] } };
  }
}

async function inspectFrames(bytes: Uint8Array, options: InspectOptions): Promise<InspectReport> {
  const lines: string[] = [`serial input, ${bytes.length} bytes`];
  const notes: string[] = [];
  let input = bytes;
  if (bytes[bytes.length - 1] !== 0x00) {
    notes.push('the input does not end with the 0x00 delimiter; read as one frame without it (on the wire, every frame ends with 00)');
    input = Uint8Array.from([...bytes, 0x00]);
  }
  const results = await parseFrames(input);
  const frames: Record<string, unknown>[] = [];
  let ok = results.length > 0;
  if (results.length === 0) notes.push('no frame: the input holds only 0x00 delimiters');
  results.forEach((result, index) => {
    lines.push(`  frame ${index + 1}`);
    if (!result.ok) {
      ok = false;
      const problem = describeError(result.error, 'frame');
      lines.push(...problemLines(problem, result.raw ?? new Uint8Array(), '  '));
      if (result.error.code === 'E_FRAME_CRC') {
        lines.push('    (the CRC-32 is IEEE 802.3, reflected, init and final XOR 0xffffffff, appended little-endian to the payload before COBS)');
      }
      frames.push({ ok: false, problems: [problem], ...(result.raw === undefined ? {} : { raw: toHex(result.raw) }) });
      return;
    }
    lines.push(`    COBS and CRC-32 ok, payload ${result.payload.length} bytes`);
    const inner = inspectCose(result.payload, options, '    ');
    lines.push(...inner.lines);
    ok &&= inner.ok;
    frames.push({ ok: inner.ok, payload: toHex(result.payload), message: inner.json });
  });
  for (const note of notes) lines.push(`  note: ${note}`);
  lines.push(`  verdict     ${ok ? 'OK' : 'PROBLEM'}`);
  return { ok, lines, json: { kind: 'frame', ok, frames, notes } };
}

function parseFrames(bytes: Uint8Array): Promise<SerialFrameResult[]> {
  return new Promise((resolve, reject) => {
    const parser = new SerialFrameParser();
    const results: SerialFrameResult[] = [];
    parser.on('data', (result: SerialFrameResult) => results.push(result));
    parser.on('end', () => resolve(results));
    parser.on('error', reject);
    parser.end(Buffer.from(bytes));
  });
}

function readDevicePayload(
  cose: CoseSign1,
  payloadOffset: number | undefined,
  lines: string[],
  problems: InspectProblem[],
  indent: string,
): { payload: unknown; flags: readonly PayloadFlag[] } {
  try {
    const decoded = decodeDevicePayload(cose.payloadBytes, { maxBytes: cose.payloadBytes.length });
    lines.push(`${indent}  payload     ${JSON.stringify(toInspectJson(decoded.payload))}`);
    if (decoded.payload.dev !== cose.kid) {
      problems.push({
        code: 'E_KID_MISMATCH',
        message: `payload dev ${JSON.stringify(decoded.payload.dev)} differs from the kid ${JSON.stringify(cose.kid)}; both must be the device id`,
        where: 'payload.dev',
      });
    }
    return { payload: decoded.payload, flags: decoded.flags };
  } catch (error) {
    // Offsets of payload errors count from the payload's first byte; shown as positions in the whole message.
    const problem = describeError(error, 'payload');
    const offset = problem.offset === undefined || payloadOffset === undefined ? undefined : payloadOffset + problem.offset;
    problems.push(offset === undefined ? problem : { ...problem, offset });
    return { payload: undefined, flags: [] };
  }
}

function looksLikeConnectToken(payloadBytes: Uint8Array): boolean {
  try {
    const value = decodeCborStrict(payloadBytes, { maxBytes: payloadBytes.length });
    return value instanceof Map && value.has('purpose');
  } catch {
    return false;
  }
}

/** Where a decoded payload starts inside the message (for byte positions in payload errors). */
function locatePayload(message: Uint8Array, cose: CoseSign1): number | undefined {
  const length = cose.payloadBytes.length;
  // Preferred encoding puts the signature's 2-byte head (58 40) and 64 bytes after the payload.
  for (const headLength of [2, 3, 5, 9]) {
    const start = message.length - 64 - headLength - length;
    if (start >= 0 && Buffer.compare(message.subarray(start, start + length), cose.payloadBytes) === 0) return start;
  }
  const found = Buffer.from(message).indexOf(Buffer.from(cose.payloadBytes));
  return found === -1 ? undefined : found;
}

function describeError(error: unknown, where: string): InspectProblem {
  if (!isProtocolError(error)) throw error;
  const e: ProtocolError = error;
  const offset = e.details['offset'];
  const path = e.details['path'];
  const field = e.details['field'];
  const place = typeof path === 'string' && path !== '' ? `${where}.${path}` : typeof field === 'string' ? `${where} ${field}` : where;
  return { code: e.code, message: e.message, where: place, ...(typeof offset === 'number' ? { offset } : {}) };
}

function problemLines(problem: InspectProblem, bytes: Uint8Array, indent: string): string[] {
  const lines = [`${indent}  problem     ${problem.code}${problem.where === undefined ? '' : ` (${problem.where})`}: ${problem.message}`];
  if (problem.offset !== undefined && bytes.length > 0) {
    lines.push(`${indent}              at byte ${problem.offset}:`);
    lines.push(...hexContext(bytes, problem.offset, `${indent}              `));
  }
  return lines;
}

function describeGattField(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'kind' in value) {
    const kind = (value as { kind: string }).kind;
    if (kind === 'number') {
      const v = value as unknown as { value: number; unit?: string; mantissa?: number; exponent?: number };
      return `${v.value}${v.unit === undefined ? '' : ` ${v.unit}`}${v.mantissa === undefined ? '' : `  (mantissa ${v.mantissa}, exponent ${v.exponent})`}`;
    }
    return `${kind.toUpperCase()} (reserved value, not a number)`;
  }
  return JSON.stringify(value);
}

/** Decoded values as JSON data: bytes as hex, big integers as decimal strings, CBOR maps as objects. */
export function toInspectJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof CborFloat) return value.value;
  if (value instanceof CborTag) return { tag: toInspectJson(value.tag), value: toInspectJson(value.value) };
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), toInspectJson(v)]));
  if (Array.isArray(value)) return value.map((item) => toInspectJson(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toInspectJson(v)]));
  }
  return value;
}
