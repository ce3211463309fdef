/**
 * Test support (differential tests of the verifier): a catalogue of ways to tamper with a valid bundle, each
 * a pure function of a JSON copy. The fast `verifyBundle` and the plain `referenceVerifyBundle` must give the
 * same report for every one of them, and for the combinations the property tests draw.
 */
import { ed25519PublicKey } from '@trialgate/firmware-protocol';
import { encodeBase64 } from '../encoding/canonical-base64.js';
import { splitNote } from '../note/signed-note.js';
import type { ProofBundle } from './proof-bundle.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? Mutable<U>[] : T[K] extends object ? Mutable<T[K]> : T[K] };
export type MutableBundle = Mutable<ProofBundle>;

export interface Tampering {
  readonly name: string;
  readonly apply: (bundle: MutableBundle) => void;
}

export function copyBundle(bundle: ProofBundle): MutableBundle {
  return JSON.parse(JSON.stringify(bundle)) as MutableBundle;
}

function flipBase64Byte(text: string, at: number, mask = 0x01): string {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0) return text;
  const i = at < 0 ? Math.max(0, bytes.length + at) : at % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ mask;
  return bytes.toString('base64');
}

function entryAt(b: MutableBundle, position: number): MutableBundle['entries'][number] {
  const e = b.entries[position % Math.max(1, b.entries.length)];
  if (e === undefined) throw new Error('the bundle has no entries');
  return e;
}

/** One tampering per kind the verifier reports, at a few places of the bundle. */
export function tamperings(entries: number): Tampering[] {
  const at = [1, Math.floor(entries / 2), entries - 1];
  const list: Tampering[] = [];
  for (const p of at) {
    for (const byte of [0, 3, 12, 40, 90, 150, 220]) {
      list.push({ name: `entry ${p}: byte ${byte} flipped`, apply: (b) => void (entryAt(b, p).entry = flipBase64Byte(entryAt(b, p).entry, byte)) });
    }
    list.push(
      { name: `entry ${p}: last byte (signature) flipped`, apply: (b) => void (entryAt(b, p).entry = flipBase64Byte(entryAt(b, p).entry, -1, 0x40)) },
      { name: `entry ${p}: first proof hash flipped`, apply: (b) => void (entryAt(b, p).proof[0] = flipBase64Byte(entryAt(b, p).proof[0] ?? '', 5)) },
      { name: `entry ${p}: last proof hash flipped`, apply: (b) => void entryAt(b, p).proof.splice(-1, 1, flipBase64Byte(entryAt(b, p).proof.at(-1) ?? '', 9)) },
      { name: `entry ${p}: proof truncated`, apply: (b) => void entryAt(b, p).proof.pop() },
      { name: `entry ${p}: proof extended`, apply: (b) => void entryAt(b, p).proof.push(entryAt(b, p).proof[0] ?? encodeBase64(new Uint8Array(32))) },
      { name: `entry ${p}: proof hashes swapped`, apply: (b) => void entryAt(b, p).proof.reverse() },
      { name: `entry ${p}: proof of the next entry`, apply: (b) => void (entryAt(b, p).proof = [...entryAt(b, p + 1).proof]) },
      { name: `entry ${p}: index + 1`, apply: (b) => void (entryAt(b, p).index += 1) },
      { name: `entry ${p}: index - 1`, apply: (b) => void (entryAt(b, p).index = Math.max(0, entryAt(b, p).index - 1)) },
      { name: `entry ${p}: index far out`, apply: (b) => void (entryAt(b, p).index = 1_000_000) },
      { name: `entry ${p}: other checkpoint`, apply: (b) => void (entryAt(b, p).checkpoint = (entryAt(b, p).checkpoint + 1) % b.checkpoints.length) },
      { name: `entry ${p}: missing checkpoint`, apply: (b) => void (entryAt(b, p).checkpoint = 99) },
      { name: `entry ${p}: entry not base64`, apply: (b) => void (entryAt(b, p).entry = `${entryAt(b, p).entry.slice(0, -4)}-_==`) },
      { name: `entry ${p}: entry non-canonical base64`, apply: (b) => void (entryAt(b, p).entry = `${entryAt(b, p).entry.slice(0, -2)}B=`) },
      { name: `entry ${p}: proof hash not base64`, apply: (b) => void (entryAt(b, p).proof[1] = 'not base64') },
      { name: `entry ${p}: proof hash of 31 bytes`, apply: (b) => void (entryAt(b, p).proof[0] = encodeBase64(new Uint8Array(31))) },
      { name: `entry ${p}: listed twice`, apply: (b) => void b.entries.splice(p, 0, { ...entryAt(b, p), proof: [...entryAt(b, p).proof] }) },
      { name: `entry ${p}: dropped`, apply: (b) => void b.entries.splice(p % b.entries.length, 1) },
      { name: `entry ${p}: conflicting copy (same index, other bytes, its own proof)`, apply: (b) => void b.entries.push({ ...entryAt(b, p + 1), index: entryAt(b, p).index }) },
    );
  }
  list.push(
    { name: 'entries reversed', apply: (b) => void b.entries.reverse() },
    { name: 'entries interleaved from both ends', apply: (b) => void (b.entries = b.entries.flatMap((e, i, all) => (i < all.length / 2 ? [e, all[all.length - 1 - i]].filter((x) => x !== undefined) : []))) },
    { name: 'a device key replaced', apply: (b) => void (b.devices[0] && (b.devices[0].public_key = encodeBase64(ed25519PublicKey(new Uint8Array(32).fill(77))))) },
    { name: 'a device key not base64', apply: (b) => void (b.devices[1] && (b.devices[1].public_key = 'AAAA')) },
    { name: 'a device id invalid', apply: (b) => void (b.devices[0] && (b.devices[0].id = 'no spaces allowed')) },
    { name: 'a device removed', apply: (b) => void b.devices.splice(0, 1) },
    { name: 'a device listed twice with the same key', apply: (b) => void (b.devices[0] && b.devices.push({ ...b.devices[0] })) },
    { name: 'a second key for a device (rotation)', apply: (b) => void (b.devices[0] && b.devices.push({ ...b.devices[0], public_key: encodeBase64(ed25519PublicKey(new Uint8Array(32).fill(78))) })) },
    { name: 'devices swapped keys', apply: (b) => {
      const [d0, d1] = b.devices;
      if (d0 !== undefined && d1 !== undefined) [d0.public_key, d1.public_key] = [d1.public_key, d0.public_key];
    } },
    { name: 'checkpoint 0 body altered', apply: (b) => {
      const c = b.checkpoints[0];
      if (c !== undefined) c.note = c.note.replace(splitNote(c.note).text, splitNote(c.note).text.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`));
    } },
    { name: 'last checkpoint signature altered', apply: (b) => {
      const c = b.checkpoints.at(-1);
      if (c === undefined) return;
      const line = c.note.trimEnd().split('\n').at(-1) ?? '';
      const sig = line.slice(line.lastIndexOf(' ') + 1);
      c.note = c.note.replace(sig, flipBase64Byte(sig, 30));
    } },
    { name: 'checkpoints reversed', apply: (b) => void b.checkpoints.reverse() },
    { name: 'a consistency proof altered', apply: (b) => void (b.consistency[0] && (b.consistency[0].proof[0] = flipBase64Byte(b.consistency[0].proof[0] ?? '', 2))) },
    { name: 'consistency proofs removed', apply: (b) => void (b.consistency = []) },
    { name: 'a consistency proof from size 0 added', apply: (b) => void b.consistency.push({ from_size: 0, to_size: 3, proof: [] }) },
    { name: 'another origin', apply: (b) => void (b.origin = 'other.example/log') },
    { name: 'gateway key garbled', apply: (b) => void (b.gateway_key = b.gateway_key.slice(0, -3)) },
  );
  return list;
}
