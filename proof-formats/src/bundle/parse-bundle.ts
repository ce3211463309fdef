import { ProofFormatError } from '../errors/proof-format-error.js';
import { bundleText } from './bundle-text.js';
import { findDuplicateJsonKey } from './duplicate-json-keys.js';
import {
  BUNDLE_FORMAT,
  type BundleAnchor,
  type BundleCheckpoint,
  type BundleConsistencyProof,
  type BundleDevice,
  type BundleEntry,
  type ProofBundle,
} from './proof-bundle.js';

export interface ParsedBundle {
  readonly bundle: ProofBundle;
  /**
   * Members the format does not define, by path (`$.extra`, `$.entries[].note`). They are ignored (spec:
   * "extensions are welcome") and reported, so nobody believes they were verified.
   */
  readonly ignoredFields: readonly string[];
}


function shape(message: string, path: string): never {
  throw new ProofFormatError('E_BUNDLE_SHAPE', `not a proof bundle: ${path} ${message}`, { details: { path } });
}

type JsonObject = Readonly<Record<string, unknown>>;

function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) shape('must be an object', path);
  return value as JsonObject;
}

function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) shape('must be an array', path);
  return value as readonly unknown[];
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') shape('must be a string', path);
  return value as string;
}

function count(value: unknown, path: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    shape(min > 0 ? 'must be a positive integer' : 'must be a non-negative integer', path);
  }
  return value as number;
}

function member(container: JsonObject, key: string, path: string): unknown {
  if (!Object.hasOwn(container, key)) shape(`is missing "${key}"`, path);
  return container[key];
}

/** Records members outside `known`, once per path (`entries[3].x` and `entries[4].x` are one path). */
function noteUnknown(container: JsonObject, known: readonly string[], path: string, ignored: Set<string>): void {
  for (const key of Object.keys(container)) if (!known.includes(key)) ignored.add(`${path}.${key}`);
}

/**
 * Parses a bundle (spec section 8). Attacker-controlled: the file a sponsor was handed. Throws, all mapping to
 * exit status 2 (unusable):
 * - `E_BUNDLE_NOT_JSON`: not UTF-8, or not JSON;
 * - `E_BUNDLE_FORMAT`: a `format` other than `tg-proof-bundle/1` (a later version needs a later verifier);
 * - `E_BUNDLE_SHAPE`: anything else that is not the documented shape: a missing member or one of the wrong
 *   JSON type, a number that is not a non-negative safe integer (chain ids positive), no checkpoint at all, a
 *   key twice in one object (parsers disagree on which one counts).
 * Unknown members are ignored and listed in `ignoredFields`.
 */
export function parseBundle(input: string | Uint8Array): ParsedBundle {
  let source: string;
  if (input instanceof Uint8Array) {
    source = bundleText(input);
  } else {
    source = input;
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new ProofFormatError('E_BUNDLE_NOT_JSON', 'not a proof bundle: the file is not JSON', { cause: error });
  }
  const root = object(value, '$');
  const format = member(root, 'format', '$');
  if (format !== BUNDLE_FORMAT) {
    throw new ProofFormatError(
      'E_BUNDLE_FORMAT',
      typeof format === 'string'
        ? `unsupported bundle format "${format.slice(0, 80)}" (this verifier reads ${BUNDLE_FORMAT})`
        : `not a proof bundle: "format" must be "${BUNDLE_FORMAT}"`,
      { details: { format: typeof format === 'string' ? format.slice(0, 80) : typeof format } },
    );
  }
  const duplicate = findDuplicateJsonKey(source);
  if (duplicate !== undefined) shape(`has the key "${duplicate.key}" twice`, duplicate.path);

  const ignored = new Set<string>();
  noteUnknown(root, ['format', 'origin', 'gateway_key', 'devices', 'checkpoints', 'consistency', 'entries'], '$', ignored);
  const origin = text(member(root, 'origin', '$'), '$.origin');
  const gatewayKey = text(member(root, 'gateway_key', '$'), '$.gateway_key');

  const devices = array(member(root, 'devices', '$'), '$.devices').map((raw, i): BundleDevice => {
    const path = `$.devices[${i}]`;
    const d = object(raw, path);
    noteUnknown(d, ['id', 'public_key', 'kind'], '$.devices[]', ignored);
    return {
      id: text(member(d, 'id', path), `${path}.id`),
      public_key: text(member(d, 'public_key', path), `${path}.public_key`),
      kind: text(member(d, 'kind', path), `${path}.kind`),
    };
  });

  const checkpoints = array(member(root, 'checkpoints', '$'), '$.checkpoints').map((raw, i): BundleCheckpoint => {
    const path = `$.checkpoints[${i}]`;
    const c = object(raw, path);
    noteUnknown(c, ['note', 'anchors'], '$.checkpoints[]', ignored);
    const anchors = array(member(c, 'anchors', path), `${path}.anchors`).map((rawAnchor, j): BundleAnchor => {
      const anchorPath = `${path}.anchors[${j}]`;
      const a = object(rawAnchor, anchorPath);
      noteUnknown(a, ['chain_id', 'tx_hash', 'block_number', 'from'], '$.checkpoints[].anchors[]', ignored);
      return {
        chain_id: count(member(a, 'chain_id', anchorPath), `${anchorPath}.chain_id`, 1),
        tx_hash: text(member(a, 'tx_hash', anchorPath), `${anchorPath}.tx_hash`),
        block_number: count(member(a, 'block_number', anchorPath), `${anchorPath}.block_number`),
        from: text(member(a, 'from', anchorPath), `${anchorPath}.from`),
      };
    });
    return { note: text(member(c, 'note', path), `${path}.note`), anchors };
  });
  if (checkpoints.length === 0) shape('must hold at least one checkpoint', '$.checkpoints');

  const hashes = (raw: unknown, path: string): string[] => array(raw, path).map((h, k) => text(h, `${path}[${k}]`));

  const consistency = array(member(root, 'consistency', '$'), '$.consistency').map((raw, i): BundleConsistencyProof => {
    const path = `$.consistency[${i}]`;
    const c = object(raw, path);
    noteUnknown(c, ['from_size', 'to_size', 'proof'], '$.consistency[]', ignored);
    return {
      from_size: count(member(c, 'from_size', path), `${path}.from_size`),
      to_size: count(member(c, 'to_size', path), `${path}.to_size`),
      proof: hashes(member(c, 'proof', path), `${path}.proof`),
    };
  });

  const entries = array(member(root, 'entries', '$'), '$.entries').map((raw, i): BundleEntry => {
    const path = `$.entries[${i}]`;
    const e = object(raw, path);
    noteUnknown(e, ['index', 'entry', 'checkpoint', 'proof'], '$.entries[]', ignored);
    return {
      index: count(member(e, 'index', path), `${path}.index`),
      entry: text(member(e, 'entry', path), `${path}.entry`),
      checkpoint: count(member(e, 'checkpoint', path), `${path}.checkpoint`),
      proof: hashes(member(e, 'proof', path), `${path}.proof`),
    };
  });

  return {
    bundle: { format: BUNDLE_FORMAT, origin, gateway_key: gatewayKey, devices, checkpoints, consistency, entries },
    ignoredFields: [...ignored].sort(),
  };
}

/** The bundle as JSON text: one line per entry, so that a person can read and diff it. */
export function serializeBundle(bundle: ProofBundle): string {
  const line = (value: unknown): string => JSON.stringify(value);
  const list = (items: readonly unknown[]): string =>
    items.length === 0 ? '[]' : `[\n    ${items.map(line).join(',\n    ')}\n  ]`;
  return (
    `{\n  "format": ${line(bundle.format)},\n  "origin": ${line(bundle.origin)},\n` +
    `  "gateway_key": ${line(bundle.gateway_key)},\n  "devices": ${list(bundle.devices)},\n` +
    `  "checkpoints": ${list(bundle.checkpoints)},\n  "consistency": ${list(bundle.consistency)},\n` +
    `  "entries": ${list(bundle.entries)}\n}\n`
  );
}
