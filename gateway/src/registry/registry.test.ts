import Database from 'better-sqlite3';
import { generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { MemoryGatewayLog } from '../storage/memory-gateway-log.js';
import { DeviceRegistry } from './device-registry.js';
import { encodePublicKeyText } from './public-key-text.js';
import { RegistryAdmin } from './registry-admin.js';
import { decodeRegistryChange } from './registry-change.js';
import { RegistryError } from './registry-error.js';
import { registryProjection } from './registry-projection.js';
import { RegistryStore } from './registry-store.js';

const clock: Clock = { now: () => 1_750_000_000_000 };

/** A memory log with the registry projection run on each commit, as the durable storage does. */
function setup() {
  const log = new MemoryGatewayLog();
  const db = new Database(':memory:');
  registryProjection.migrate(db);
  log.onCommitted((entries) => db.transaction(() => registryProjection.apply(db, entries))());
  const registry = new DeviceRegistry(log, []);
  const admin = new RegistryAdmin({ log, registry, clock });
  return { log, db, registry, admin, store: new RegistryStore(db) };
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected a RegistryError');
}

const key = () => generateEd25519KeyPair().publicKey;

describe('registry', () => {
  it('logs every change as a registry entry and keeps projection and memory view equal', async () => {
    const { log, registry, admin, store } = setup();
    const first = key();
    const second = key();
    const enrolled = await admin.enroll({ id: 'hr-1', kind: 'wearable', publicKey: first, subject: 'S-001' }, 'cli');
    expect(enrolled.index).toBe(0);
    expect(enrolled.record).toMatchObject({ id: 'hr-1', status: 'active', transports: ['mqtt'], subject: 'S-001' });
    await admin.suspend('hr-1', 'cli');
    await admin.resume('hr-1');
    await admin.rotateKey('hr-1', second);
    await admin.assign('hr-1', 'S-002');
    await admin.setTransports('hr-1', ['mqtt', 'serial']);
    await admin.retire('hr-1');
    expect(log.size()).toBe(7);

    const entry = log.readEntry(0);
    expect(entry.length).toBeGreaterThan(32);
    expect(store.get('hr-1')).toEqual(registry.get('hr-1'));
    expect(registry.get('hr-1')).toMatchObject({
      status: 'retired',
      subject: 'S-002',
      transports: ['mqtt', 'serial'],
      publicKey: second,
      keySinceIndex: 3,
      enrolledIndex: 0,
      updatedIndex: 6,
    });
    expect(store.keyHistory('hr-1')).toEqual([
      { publicKey: first, sinceIndex: 0, untilIndex: 3 },
      { publicKey: second, sinceIndex: 3, untilIndex: null },
    ]);
    expect(store.changes('hr-1').map((c) => [c.op, c.by, c.applied])).toEqual([
      ['enroll', 'cli', true],
      ['suspend', 'cli', true],
      ['resume', null, true],
      ['rotate-key', null, true],
      ['assign', null, true],
      ['set-transports', null, true],
      ['retire', null, true],
    ]);
  });

  it('refuses changes that do not apply, and logs nothing for them', async () => {
    const { log, admin } = setup();
    await admin.enroll({ id: 'd1', kind: 'scale', publicKey: key() });
    expect((await rejection(admin.enroll({ id: 'd1', kind: 'scale', publicKey: key() }))).code).toBe('E_REGISTRY_DEVICE_EXISTS');
    expect((await rejection(admin.suspend('nope'))).code).toBe('E_REGISTRY_UNKNOWN_DEVICE');
    expect((await rejection(admin.resume('d1'))).code).toBe('E_REGISTRY_TRANSITION');
    await admin.retire('d1');
    expect((await rejection(admin.resume('d1'))).code).toBe('E_REGISTRY_TRANSITION');
    expect((await rejection(admin.enroll({ id: 'd1', kind: 'scale', publicKey: key() }))).code).toBe('E_REGISTRY_DEVICE_EXISTS');
    expect((await rejection(admin.enroll({ id: 'bad id', kind: 'scale', publicKey: key() }))).code).toBe('E_REGISTRY_INVALID');
    expect((await rejection(admin.enroll({ id: 'd2', kind: 'Scale!', publicKey: key() }))).code).toBe('E_REGISTRY_INVALID');
    expect((await rejection(admin.enroll({ id: 'd2', kind: 'scale', publicKey: new Uint8Array(31) }))).code).toBe('E_REGISTRY_INVALID');
    // The identity point is a small-order key: refused (a signature under it verifies for many messages).
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect((await rejection(admin.enroll({ id: 'd2', kind: 'scale', publicKey: identity }))).code).toBe('E_REGISTRY_INVALID');
    expect((await rejection(admin.enroll({ id: 'd2', kind: 'scale', publicKey: key(), subject: 'Jane Doe' }))).code).toBe('E_REGISTRY_INVALID');
    expect((await rejection(admin.enroll({ id: 'd2', kind: 'scale', publicKey: key(), transports: [] }))).code).toBe('E_REGISTRY_INVALID');
    expect(log.size()).toBe(2);
  });

  it('loads its initial state from the projection and follows later commits', async () => {
    const { log, db, admin } = setup();
    await admin.enroll({ id: 'a', kind: 'scale', publicKey: key() });
    const reopened = new DeviceRegistry(log, new RegistryStore(db).list());
    const seen: string[] = [];
    reopened.onChange((record, change) => seen.push(`${record.id}:${change.op}:${record.status}`));
    await admin.suspend('a');
    expect(reopened.get('a')?.status).toBe('suspended');
    expect(seen).toEqual(['a:suspend:suspended']);
  });

  it('writes a documented CBOR map as the entry original', async () => {
    const { log, admin } = setup();
    const publicKey = key();
    const committed: Uint8Array[] = [];
    log.onCommitted((entries) => committed.push(...entries.map((e) => e.entry.original)));
    await admin.enroll({ id: 'cuff-7', kind: 'bp-cuff', publicKey, subject: 'S-9', transports: ['serial'] }, 'cli');
    const original = committed[0];
    if (original === undefined) throw new Error('nothing committed');
    // {"v":1,"op":"enroll","dev":"cuff-7","kind":"bp-cuff","public_key":h'..',"transports":["serial"],"subject":"S-9","by":"cli"}
    expect(Buffer.from(original.subarray(0, 4)).toString('hex')).toBe('a8617601');
    expect(decodeRegistryChange(original)).toEqual({
      op: 'enroll',
      dev: 'cuff-7',
      kind: 'bp-cuff',
      publicKey,
      transports: ['serial'],
      subject: 'S-9',
      by: 'cli',
    });
  });
});

describe('devices that cannot sign (enrolled without a key, issue 6)', () => {
  it('enrols a device without a key for BLE only, logs public_key null, and lets a later rotate-key give it one', async () => {
    const { log, registry, admin, store } = setup();
    const committed: Uint8Array[] = [];
    log.onCommitted((entries) => committed.push(...entries.map((e) => e.entry.original)));
    const enrolled = await admin.enroll({ id: 'hr-strap-1', kind: 'hr-strap' }, 'cli');
    // Without transports, a device without a key gets the one it can use.
    expect(enrolled.record).toMatchObject({ id: 'hr-strap-1', publicKey: null, transports: ['ble'], status: 'active' });
    expect(store.get('hr-strap-1')).toEqual(registry.get('hr-strap-1'));
    expect(store.keyHistory('hr-strap-1')).toEqual([]);
    const original = committed[0];
    if (original === undefined) throw new Error('nothing committed');
    // {"v":1,"op":"enroll","dev":"hr-strap-1","kind":"hr-strap","public_key":null,"transports":["ble"],"subject":null,"by":"cli"}
    expect(Buffer.from(original).toString('hex')).toContain(`${Buffer.from('public_key').toString('hex')}f6`);
    expect(decodeRegistryChange(original)).toEqual({ op: 'enroll', dev: 'hr-strap-1', kind: 'hr-strap', publicKey: null, transports: ['ble'], subject: null, by: 'cli' });

    const later = key();
    await admin.rotateKey('hr-strap-1', later);
    await admin.setTransports('hr-strap-1', ['ble', 'mqtt']);
    expect(registry.get('hr-strap-1')).toMatchObject({ publicKey: later, keySinceIndex: 1, transports: ['ble', 'mqtt'] });
    expect(store.get('hr-strap-1')).toEqual(registry.get('hr-strap-1'));
    expect(store.keyHistory('hr-strap-1')).toEqual([{ publicKey: later, sinceIndex: 1, untilIndex: null }]);
  });

  it('refuses to allow a device without a key any transport but ble, at enrolment and later', async () => {
    const { log, admin } = setup();
    const refused = await rejection(admin.enroll({ id: 'cuff-1', kind: 'bp-cuff', transports: ['ble', 'mqtt'] }));
    expect(refused.code).toBe('E_REGISTRY_INVALID');
    expect(refused.message).toMatch(/no public key.*only ble \(not mqtt\)/);
    expect((await rejection(admin.enroll({ id: 'cuff-1', kind: 'bp-cuff', publicKey: null, transports: ['serial'] }))).code).toBe('E_REGISTRY_INVALID');
    await admin.enroll({ id: 'cuff-1', kind: 'bp-cuff', publicKey: null, transports: ['ble'] });
    expect((await rejection(admin.setTransports('cuff-1', ['mqtt']))).code).toBe('E_REGISTRY_TRANSITION');
    expect(log.size()).toBe(1);
  });

  it('decodes registry entries written before keyless enrolment existed, byte for byte as before', async () => {
    const { log, admin } = setup();
    const publicKey = key();
    const committed: Uint8Array[] = [];
    log.onCommitted((entries) => committed.push(...entries.map((e) => e.entry.original)));
    await admin.enroll({ id: 'w-1', kind: 'wearable', publicKey });
    // The encoding of an enrolment with a key is unchanged: public_key is a bstr(32).
    expect(Buffer.from(committed[0] ?? []).toString('hex')).toContain(`${Buffer.from('public_key').toString('hex')}5820${Buffer.from(publicKey).toString('hex')}`);
    expect(decodeRegistryChange(committed[0] ?? new Uint8Array())).toMatchObject({ op: 'enroll', publicKey });
  });

  it('rebuilds a registry table created with public_key NOT NULL, keeping its rows, so keyless devices fit', async () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE registry_devices (id TEXT PRIMARY KEY, kind TEXT NOT NULL, public_key BLOB NOT NULL, transports TEXT NOT NULL,
      status TEXT NOT NULL, subject TEXT, enrolled_index INTEGER NOT NULL, enrolled_at_ms INTEGER NOT NULL, updated_index INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL, key_since_index INTEGER NOT NULL) STRICT`);
    const old = key();
    db.prepare("INSERT INTO registry_devices VALUES ('w-1', 'wearable', ?, 'mqtt', 'active', NULL, 0, 5, 0, 5, 0)").run(old);
    registryProjection.migrate(db);
    registryProjection.migrate(db);
    const store = new RegistryStore(db);
    expect(store.get('w-1')).toMatchObject({ id: 'w-1', publicKey: old, transports: ['mqtt'] });
    const log = new MemoryGatewayLog();
    log.onCommitted((entries) => db.transaction(() => registryProjection.apply(db, entries))());
    const admin = new RegistryAdmin({ log, registry: new DeviceRegistry(log, store.list()), clock });
    await admin.enroll({ id: 'ox-1', kind: 'oximeter' });
    expect(store.get('ox-1')).toMatchObject({ publicKey: null, transports: ['ble'] });
    expect(store.changes('ox-1').map((c) => c.applied)).toEqual([true]);
  });

  it('imports lines without a public_key (absent or null) as devices that cannot sign', async () => {
    const { admin, registry } = setup();
    const text = [
      JSON.stringify({ id: 'hr-1', kind: 'hr-strap' }),
      JSON.stringify({ id: 'ox-1', kind: 'oximeter', public_key: null, transports: ['ble'] }),
      JSON.stringify({ id: 'w-1', kind: 'wearable', public_key: encodePublicKeyText(key()) }),
    ].join('\n');
    const outcome = await admin.importDevices(text, 'cli');
    expect(outcome.enrolled.map((e) => e.id)).toEqual(['hr-1', 'ox-1', 'w-1']);
    expect(registry.get('hr-1')).toMatchObject({ publicKey: null, transports: ['ble'] });
    expect(registry.get('ox-1')).toMatchObject({ publicKey: null, transports: ['ble'] });
    // Safe to re-run: the keyless lines are recognised as already enrolled.
    expect(await admin.importDevices(text, 'cli')).toEqual({ enrolled: [], unchanged: ['hr-1', 'ox-1', 'w-1'] });
    const refused = await rejection(admin.importDevices(JSON.stringify({ id: 'cuff-1', kind: 'bp-cuff', transports: ['mqtt'] }), 'cli'));
    expect(refused.code).toBe('E_REGISTRY_IMPORT');
    expect(JSON.stringify(refused.details)).toMatch(/no public key/);
  });
});

describe('devices import', () => {
  const line = (fields: Record<string, unknown>) => JSON.stringify(fields);

  it('enrols every line, and is safe to re-run', async () => {
    const { admin, registry } = setup();
    const k1 = encodePublicKeyText(key());
    const k2 = encodePublicKeyText(key());
    const text = `${line({ id: 'w-1', public_key: k1, kind: 'wearable', subject: 'S-1' })}\n\n${line({ id: 'w-2', public_key: k2, kind: 'wearable', transports: ['ble', 'mqtt'] })}\n`;
    const first = await admin.importDevices(text, 'cli');
    expect(first.enrolled.map((e) => e.id)).toEqual(['w-1', 'w-2']);
    expect(registry.get('w-2')?.transports).toEqual(['ble', 'mqtt']);
    const again = await admin.importDevices(text, 'cli');
    expect(again).toEqual({ enrolled: [], unchanged: ['w-1', 'w-2'] });
  });

  it('changes nothing when any line is bad, and names every bad line', async () => {
    const { admin, log } = setup();
    await admin.enroll({ id: 'taken', kind: 'scale', publicKey: key() });
    const good = encodePublicKeyText(key());
    const text = [
      line({ id: 'ok-1', public_key: good, kind: 'wearable' }),
      '{not json',
      line({ id: 'ok-2', public_key: 'AAAA', kind: 'wearable' }),
      line({ id: 'ok-3', public_key: encodePublicKeyText(key()), kind: 'wearable', name: 'Jane' }),
      line({ id: 'ok-1', public_key: encodePublicKeyText(key()), kind: 'wearable' }),
      line({ id: 'taken', public_key: encodePublicKeyText(key()), kind: 'scale' }),
      '[1,2]',
      line({ id: 'ok-4', public_key: encodePublicKeyText(key()), kind: 'wearable', subject: 'a b' }),
    ].join('\n');
    const error = await rejection(admin.importDevices(text));
    expect(error.code).toBe('E_REGISTRY_IMPORT');
    const problems = error.details['problems'] as { line: number; message: string }[];
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(problems[0]?.message).toMatch(/not valid JSON/);
    expect(problems[1]?.message).toMatch(/base64 of 32 bytes/);
    expect(problems[2]?.message).toMatch(/unknown field.*"name"/);
    expect(problems[3]?.message).toMatch(/also on line 1/);
    expect(problems[4]?.message).toMatch(/already enrolled/);
    expect(problems[5]?.message).toMatch(/not a JSON object/);
    expect(problems[6]?.message).toMatch(/pseudonymous subject id/);
    expect(log.size()).toBe(1);
  });
});
