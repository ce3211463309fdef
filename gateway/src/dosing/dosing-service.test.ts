import { decodeLogEntry } from '@trialgate/proof-formats';
import { describe, expect, it } from 'vitest';
import { openReminder } from '../downlink/reminder-message.js';
import { openSchedule } from '../downlink/schedule-message.js';
import { silentLogger } from '../observability/logger.js';
import { decodeDosingEntry, type DosingEntry } from './dosing-entry.js';
import { DosingService } from './dosing-service.js';
import { dosingKit, doseEventMessage, downlinkAckMessage, FakeRoute, idleTimers, TEST_ORIGIN, type DosingKit } from './dosing-test-kit.js';

const HOUR = 3_600_000;
const DAY_START = Date.UTC(2025, 5, 2, 0, 0); // 2025-06-02 00:00 UTC

function gatewayRecords(kit: DosingKit): (DosingEntry & { index: number; transport: string })[] {
  const out: (DosingEntry & { index: number; transport: string })[] = [];
  for (let i = 0; i < kit.log.size(); i++) {
    const entry = decodeLogEntry(kit.log.readEntry(i));
    if (entry.contentType !== 'gateway') continue;
    const record = decodeDosingEntry(entry.original);
    if (record !== null) out.push({ ...record, index: i, transport: entry.transport });
  }
  return out;
}

function service(kit: DosingKit): DosingService {
  return new DosingService({ log: kit.log, store: kit.store, registry: kit.registry, router: kit.router, signer: kit.signer, clock: kit.clock, timers: idleTimers, logger: silentLogger(), resendAfterMs: 10 * 60_000 });
}

async function setup() {
  const kit = dosingKit();
  kit.clock.advance(DAY_START + 7 * HOUR - kit.clock.now()); // 07:00
  const route = new FakeRoute('serial');
  kit.router.add(route);
  const device = await kit.enroll('disp-1', ['serial']);
  route.reachable.add('disp-1');
  return { kit, route, device, expected: { origin: TEST_ORIGIN, gatewayPublicKey: kit.signer.publicKey, device: 'disp-1' } };
}

const ingest = (kit: DosingKit, bytes: Uint8Array) =>
  kit.pipeline.ingest({ transport: 'serial', bytes, receivedAtMs: kit.clock.now(), senderDeviceId: null, source: 'test' });

describe('DosingService', () => {
  it('sends the schedule, reminds at each offset until taken, links the device acks, and finds an untaken dose missed', async () => {
    const { kit, route, device, expected } = await setup();
    await kit.dosingAdmin.setSchedule('disp-1', { tz: 'UTC', windowMin: 240, remindMin: [0, 60], doses: [{ slot: 1, at: '08:00' }] }, 'cli');
    const dosing = service(kit);
    await dosing.tick();
    expect(route.sent).toHaveLength(1);
    const schedule = openSchedule(route.sent[0]?.bytes ?? new Uint8Array(), expected);
    expect(schedule).toMatchObject({ id: 1, version: 1, tz: 'UTC', windowMin: 240, doses: [{ slot: 1, at: '08:00' }] });

    // The device acknowledges the schedule with its own signed message; the gateway links it.
    expect((await ingest(kit, downlinkAckMessage(device, 1, kit.clock.now(), { ref: 1, of: 'schedule' }))).status).toBe('appended');
    await dosing.tick();
    expect(kit.store.downlink('disp-1', 1)).toMatchObject({ ackStatus: 'accepted' });

    kit.clock.advance(HOUR); // 08:00: due
    await dosing.tick();
    await dosing.tick(); // no second reminder for the same offset
    await ingest(kit, downlinkAckMessage(device, 2, kit.clock.now(), { ref: 2, of: 'reminder' }));
    kit.clock.advance(HOUR); // 09:00: second offset
    await dosing.tick();
    const reminders = route.sent.slice(1).map((s) => openReminder(s.bytes, expected));
    expect(reminders.map((r) => [r.id, r.n, r.slot, r.scheduled])).toStrictEqual([
      [2, 1, 1, DAY_START + 8 * HOUR],
      [3, 2, 1, DAY_START + 8 * HOUR],
    ]);
    expect(reminders[0]?.windowEnd).toBe(DAY_START + 12 * HOUR);

    // Taken, naming the dose: no more reminders, never missed.
    await ingest(kit, doseEventMessage(device, 3, kit.clock.now(), { event: 'taken', slot: 1, scheduled: DAY_START + 8 * HOUR }));
    kit.clock.advance(4 * HOUR); // 13:00
    await dosing.tick();
    expect(route.sent).toHaveLength(3);

    // Next day: nothing taken; two reminders, then after the window a dose-missed entry, once.
    kit.clock.advance(19 * HOUR); // next day 08:00
    await dosing.tick();
    kit.clock.advance(HOUR);
    await dosing.tick();
    kit.clock.advance(3 * HOUR); // 12:00 = window end
    await dosing.tick();
    await dosing.tick();
    const records = gatewayRecords(kit);
    expect(records.map((r) => r.event)).toStrictEqual([
      'schedule-set',
      'schedule-sent',
      'ack',
      'reminder-sent',
      'ack',
      'reminder-sent',
      'reminder-sent',
      'reminder-sent',
      'dose-missed',
    ]);
    expect(records.find((r) => r.event === 'ack')).toMatchObject({ ref: 1, of: 'schedule', status: 'accepted', entry: 3, refEntry: 2, transport: 'serial' });
    expect(records.find((r) => r.event === 'schedule-set')).toMatchObject({ transport: 'admin', by: 'cli', version: 1 });
    expect(records.at(-1)).toMatchObject({ event: 'dose-missed', slot: 1, scheduled: DAY_START + 32 * HOUR, reminders: 2, deviceReported: null, transport: 'admin' });
    // Every reminder logged holds exactly the bytes sent.
    const sentRecords = records.filter((r) => r.event === 'reminder-sent');
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    expect(new Set(route.sent.slice(1).map((s) => hex(s.bytes)))).toStrictEqual(new Set(sentRecords.map((r) => (r.event === 'reminder-sent' ? hex(r.msg) : ''))));
  });

  it('sends nothing to an unreachable device but still finds the dose missed, noting a missed the device reported', async () => {
    const { kit, route, device } = await setup();
    route.reachable.clear();
    await kit.dosingAdmin.setSchedule('disp-1', { doses: [{ slot: 3, at: '08:00' }], windowMin: 60 });
    const dosing = service(kit);
    kit.clock.advance(HOUR + 30 * 60_000); // 08:30
    await dosing.tick();
    await ingest(kit, doseEventMessage(device, 1, kit.clock.now(), { event: 'missed', slot: 3, scheduled: DAY_START + 8 * HOUR }));
    kit.clock.advance(HOUR); // 09:30: window ended at 09:00
    await dosing.tick();
    expect(route.sent).toHaveLength(0);
    const missed = gatewayRecords(kit).filter((r) => r.event === 'dose-missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ reminders: 0, deviceReported: 2 });
  });

  it('resends what is not acknowledged when the device is reachable again, byte for byte, and a restart repeats nothing', async () => {
    const { kit, route } = await setup();
    route.failing = true;
    await kit.dosingAdmin.setSchedule('disp-1', { doses: [{ slot: 1, at: '08:00' }] });
    const first = service(kit);
    await first.tick();
    expect(route.sent).toHaveLength(0);
    route.failing = false;
    first.onReachable('disp-1');
    await first.tick();
    expect(route.sent).toHaveLength(1);
    await first.stop();
    const second = service(kit);
    await second.tick();
    expect(route.sent).toHaveLength(1);
    kit.clock.advance(11 * 60_000);
    await second.tick(); // not acknowledged for longer than resendAfter: the same bytes again, no new entry
    expect(route.sent).toHaveLength(2);
    expect(route.sent[1]?.bytes).toStrictEqual(route.sent[0]?.bytes);
    expect(gatewayRecords(kit).filter((r) => r.event === 'schedule-sent')).toHaveLength(1);
  });

  it('a cleared schedule is sent as an empty one and ends reminders', async () => {
    const { kit, route, expected } = await setup();
    await kit.dosingAdmin.setSchedule('disp-1', { doses: [{ slot: 1, at: '08:00' }] });
    await kit.dosingAdmin.clearSchedule('disp-1', 'cli');
    const dosing = service(kit);
    kit.clock.advance(2 * HOUR);
    await dosing.tick();
    expect(route.sent.map((s) => openSchedule(s.bytes, expected))).toMatchObject([{ version: 2, doses: [] }]);
    await expect(kit.dosingAdmin.clearSchedule('disp-1')).rejects.toThrow(/no schedule/);
    await expect(kit.dosingAdmin.setSchedule('nobody', { doses: [] })).rejects.toThrow(/not enrolled/);
  });

  it('refuses a dose schedule for a device without a signing key (it could never report a dose)', async () => {
    const kit = dosingKit();
    await kit.admin.enroll({ id: 'strap-1', kind: 'hr-strap', publicKey: null, transports: ['ble'] });
    const size = kit.log.size();
    await expect(kit.dosingAdmin.setSchedule('strap-1', { doses: [{ slot: 1, at: '08:00' }] })).rejects.toMatchObject({ code: 'E_DOSING_INVALID', message: /no signing key/ });
    expect(kit.log.size()).toBe(size);
  });
});
