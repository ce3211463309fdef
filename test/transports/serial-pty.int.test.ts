/**
 * Serial ingestion on a real pseudo-terminal pair (socat): the simulated dispenser (device-sim) writes frames on
 * one end, with garbage and broken CRCs between good frames; the gateway's serial link reads the other end.
 * Every good frame is logged once and acknowledged, every bad one quarantined; killing and restarting socat
 * (unplug, replug) is survived on both sides.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRandom, MemoryDeviceStore, SerialDispenser } from '@trialgate/device-sim';
import { openSerialportLine, SerialTransport, silentLogger, systemClock } from '@trialgate/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { SocatPtyPair } from './socat-pty-pair.js';
import { testTimers, transportKit, waitFor } from './transport-kit.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-pty-'));
  const pair = new SocatPtyPair(dir);
  await pair.start();
  cleanup.push(async () => {
    await pair.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const kit = transportKit();
  const identity = await kit.enroll('disp-s1', 'pill_dispenser', ['serial']);
  const transport = new SerialTransport({
    ports: [{ path: pair.gatewayEnd, baudRate: 115_200 }],
    openLine: openSerialportLine,
    pipeline: kit.pipeline,
    signer: kit.signer,
    clock: systemClock,
    timers: testTimers,
    random: Math.random,
    logger: silentLogger(),
    maxMessageBytes: 16 * 1024,
    backoff: { initialMs: 50, maxMs: 400 },
  });
  transport.start();
  cleanup.push(() => transport.close());
  const dispenser = new SerialDispenser({
    identity,
    path: pair.deviceEnd,
    store: new MemoryDeviceStore(),
    gatewayKey: kit.gatewayKey,
    clock: systemClock,
    random: createRandom(7),
    logger: silentLogger(),
    ackTimeoutMs: 1000,
    backoff: { initialMs: 50, maxMs: 400 },
  });
  dispenser.start();
  cleanup.push(() => dispenser.stop());
  await waitFor(() => transport.links[0]?.isOpen === true && dispenser.isOpen, 5000, 'both ends open');
  return { kit, pair, transport, dispenser };
}

const reading = (i: number) => ({ t: Date.now(), type: 'dose_event' as const, data: { event: 'compartment_opened', slot: (i % 14) + 1 } });

describe('serial line on a socat pseudo-terminal pair', () => {
  it('logs every good frame once and acks it; garbage and broken CRCs between them are quarantined', async () => {
    const { kit, dispenser } = await setup();
    for (let i = 0; i < 10; i++) {
      await dispenser.record(reading(i));
      if (i % 3 === 0) await dispenser.writeRaw(Buffer.from(`\x00noise ${i}\x00\x05\x01\x00`));
      if (i % 4 === 1) await dispenser.writeWithBadCrc(reading(100 + i), 900 + i);
    }
    await dispenser.writeRaw(Uint8Array.of(0));
    await dispenser.drain(10_000);
    const logged = kit.entries().filter((e) => e.contentType === 'cose-sign1');
    expect(logged).toHaveLength(10);
    expect(logged.every((e) => e.transport === 'serial' && e.deviceId === 'disp-s1')).toBe(true);
    expect(dispenser.protocol.counters.acked).toBe(10);
    const quarantined = kit.log.countQuarantineByReason();
    expect(quarantined['E_FRAME_CRC']).toBe(3);
    expect((quarantined['E_COBS'] ?? 0) + (quarantined['E_FRAME_TOO_SHORT'] ?? 0)).toBeGreaterThanOrEqual(4);
    expect(Object.keys(quarantined).every((code) => code.startsWith('E_FRAME_') || code === 'E_COBS')).toBe(true);
  });

  it('survives unplugging and replugging (socat killed and restarted): messages stored meanwhile arrive once', async () => {
    const { kit, pair, transport, dispenser } = await setup();
    await dispenser.record(reading(1));
    await dispenser.drain(5000);
    await pair.kill();
    await waitFor(() => transport.links[0]?.state !== 'open' && !dispenser.isOpen, 5000, 'both ends to notice');
    for (let i = 2; i <= 4; i++) await dispenser.record(reading(i));
    expect(dispenser.pendingCount).toBe(3);
    await pair.start();
    await waitFor(() => transport.links[0]?.isOpen === true && dispenser.isOpen, 10_000, 'both ends to reopen');
    await dispenser.drain(10_000);
    const logged = kit.entries().filter((e) => e.contentType === 'cose-sign1');
    expect(logged).toHaveLength(4);
    expect(transport.links[0]?.counters.opens).toBe(2);
  });
});
