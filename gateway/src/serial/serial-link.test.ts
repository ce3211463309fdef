import { cobsEncode, crc32, encodeSerialFrame, SerialFrameParser, type SerialFrameResult } from '@trialgate/firmware-protocol';
import { decodeLogEntry } from '@trialgate/proof-formats';
import { createEd25519Signer, generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { messageDigest, openAck } from '../downlink/ack-message.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import { ingestKit } from '../ingest/ingest-test-kit.js';
import { silentLogger } from '../observability/logger.js';
import { MemorySerialLine } from './memory-serial-line.js';
import { SerialLink } from './serial-link.js';
import { SerialTransport } from './serial-transport.js';
import { parseSerialPortSpec, parseSerialPortSpecs } from './serial-port-spec.js';
import type { TimerPort } from '../checkpoints/timer-port.js';

const origin = 'test.example/gw-serial';
const gatewayKeys = generateEd25519KeyPair();
const gatewaySigner = createEd25519Signer(gatewayKeys.secretKey);
const signer: DownlinkSigner = { origin, publicKey: gatewayKeys.publicKey, sign: (m) => gatewaySigner.sign(m) };

/** Timers that run only when the test says so. */
class ManualTimers implements TimerPort {
  private pending = new Map<number, () => void>();
  private next = 1;
  readonly delays: number[] = [];
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, callback);
    this.delays.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  runAll(): void {
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const callback of callbacks) callback();
  }
}

const settle = async (until: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !until(); i++) await new Promise((r) => setImmediate(r));
  expect(until()).toBe(true);
};

function framesFrom(chunks: readonly Uint8Array[]): Uint8Array[] {
  const parser = new SerialFrameParser();
  const out: Uint8Array[] = [];
  parser.on('data', (r: SerialFrameResult) => {
    if (r.ok) out.push(r.payload);
  });
  for (const chunk of chunks) parser.write(Buffer.from(chunk));
  return out;
}

/** A frame whose CRC-32 is off by one bit (COBS intact). */
function badCrcFrame(payload: Uint8Array): Uint8Array {
  const body = Buffer.alloc(payload.length + 4);
  body.set(payload);
  body.writeUInt32LE((crc32(payload) ^ 1) >>> 0, payload.length);
  return Buffer.concat([cobsEncode(body), Buffer.from([0])]);
}

async function setup() {
  const kit = ingestKit();
  const line = new MemorySerialLine();
  const timers = new ManualTimers();
  const link = new SerialLink({
    spec: { path: '/dev/ttyTEST0', baudRate: 115200 },
    openLine: line.open,
    pipeline: kit.pipeline,
    signer,
    clock: kit.clock,
    timers,
    random: () => 0.5,
    logger: silentLogger(),
    maxMessageBytes: 4096,
    badFramesPerSecond: 5,
  });
  link.start();
  await settle(() => link.isOpen);
  return { kit, line, timers, link };
}

describe('serial port specs', () => {
  it('reads PATH[:BAUD], defaulting to 115200 and refusing odd rates and duplicates', () => {
    expect(parseSerialPortSpec('/dev/ttyUSB0')).toStrictEqual({ path: '/dev/ttyUSB0', baudRate: 115200 });
    expect(parseSerialPortSpec('/dev/ttyUSB1:9600')).toStrictEqual({ path: '/dev/ttyUSB1', baudRate: 9600 });
    expect(parseSerialPortSpec('/dev/serial/by-id/usb-FTDI:x:57600')).toStrictEqual({ path: '/dev/serial/by-id/usb-FTDI:x', baudRate: 57600 });
    expect(() => parseSerialPortSpec('/dev/ttyUSB0:12345')).toThrow(/standard rate/);
    expect(() => parseSerialPortSpec('')).toThrow(/PATH/);
    expect(() => parseSerialPortSpecs(['/dev/a', '/dev/a:9600'])).toThrow(/twice/);
  });
});

describe('SerialLink', () => {
  it('logs each good frame once with transport serial and acks it; bad frames are quarantined without an ack', async () => {
    const { kit, line, link } = await setup();
    const device = await kit.enroll('disp-1', ['serial']);
    const m1 = device.message(1);
    const m2 = device.message(2);
    const broken = badCrcFrame(m2);
    line.deviceWrite(Buffer.concat([Buffer.from('garbage'), Buffer.from([0]), encodeSerialFrame(m1), broken, encodeSerialFrame(m2), encodeSerialFrame(m1)]));
    await settle(() => line.fromGateway.length === 3);
    expect(kit.log.size()).toBe(3); // enrolment + 2 messages
    const entry = decodeLogEntry(kit.log.readEntry(1));
    expect(entry).toMatchObject({ transport: 'serial', deviceId: 'disp-1', contentType: 'cose-sign1' });
    expect(entry.original).toStrictEqual(m1);
    const acks = framesFrom(line.fromGateway).map((bytes) => openAck(bytes, { origin, gatewayPublicKey: gatewayKeys.publicKey, device: 'disp-1' }));
    expect(acks.map((a) => [a.disposition, a.seq, a.index])).toStrictEqual([
      ['logged', 1, 1],
      ['logged', 2, 2],
      ['duplicate', 1, 1],
    ]);
    expect(acks[0]?.digest).toStrictEqual(messageDigest(m1));
    expect(kit.log.countQuarantineByReason()).toStrictEqual({ E_COBS: 1, E_FRAME_CRC: 1 });
    expect(kit.log.listQuarantine({ reason: 'E_FRAME_CRC' })[0]).toMatchObject({ transport: 'serial', source: 'serial:/dev/ttyTEST0' });
    expect([...link.devices.keys()]).toStrictEqual(['disp-1']);
    await link.close();
  });

  it('acks a quarantined message to the device its kid names, with the reason', async () => {
    const { kit, line, link } = await setup();
    const device = await kit.enroll('disp-2', ['mqtt']);
    line.deviceWrite(encodeSerialFrame(device.message(1)));
    await settle(() => line.fromGateway.length === 1);
    const [ack] = framesFrom(line.fromGateway).map((b) => openAck(b, { origin, gatewayPublicKey: gatewayKeys.publicKey, device: 'disp-2' }));
    expect(ack).toMatchObject({ disposition: 'quarantined', code: 'E_DEVICE_TRANSPORT' });
    // Not logged, so not "seen": no downlink is routed to it over this line.
    expect(link.devices.size).toBe(0);
    await link.close();
  });

  it('reopens with backoff after an unplug; a frame cut by the unplug is quarantined as incomplete', async () => {
    const { kit, line, link, timers } = await setup();
    const device = await kit.enroll('disp-3', ['serial']);
    const frame = encodeSerialFrame(device.message(1));
    line.deviceWrite(frame.subarray(0, 10));
    await new Promise((r) => setImmediate(r));
    line.unplug();
    await settle(() => link.state === 'waiting');
    timers.runAll(); // first retry fails: still unplugged
    await settle(() => link.state === 'waiting' && timers.delays.length === 2);
    expect(timers.delays[1]).toBeGreaterThan(timers.delays[0] ?? Infinity);
    line.plugIn();
    timers.runAll();
    await settle(() => link.isOpen);
    line.deviceWrite(frame);
    await settle(() => line.fromGateway.length === 1);
    expect(kit.log.size()).toBe(2);
    await settle(() => (kit.log.countQuarantineByReason()['E_FRAME_INCOMPLETE'] ?? 0) === 1);
    expect(line.opens).toBe(2);
    await link.close();
  });

  it('records a burst of garbage beyond the per-second bound as one summary record', async () => {
    const { kit, line, link, timers } = await setup();
    const garbage = Buffer.concat(Array.from({ length: 40 }, () => Buffer.from([0x05, 0x01, 0x00])));
    line.deviceWrite(garbage);
    await settle(() => link.counters.badFrames === 40);
    timers.runAll();
    await settle(() => (kit.log.countQuarantineByReason()['E_SERIAL_FRAMES_SUPPRESSED'] ?? 0) === 1);
    expect(kit.log.countQuarantineByReason()).toStrictEqual({ E_COBS: 5, E_SERIAL_FRAMES_SUPPRESSED: 1 });
    expect(kit.log.listQuarantine({ reason: 'E_SERIAL_FRAMES_SUPPRESSED' })[0]?.details).toMatchObject({ count: 35, byReason: { E_COBS: 35 } });
    await link.close();
  });

  it('routes downlink messages to the line where the device was seen last', async () => {
    const kit = ingestKit();
    const a = new MemorySerialLine();
    const b = new MemorySerialLine();
    const reachable: string[] = [];
    const transport = new SerialTransport({
      ports: [
        { path: '/dev/a', baudRate: 115200 },
        { path: '/dev/b', baudRate: 115200 },
      ],
      openLine: (spec) => (spec.path === '/dev/a' ? a.open(spec) : b.open(spec)),
      pipeline: kit.pipeline,
      signer,
      clock: kit.clock,
      timers: new ManualTimers(),
      random: () => 0.5,
      logger: silentLogger(),
      maxMessageBytes: 4096,
      onReachable: (id) => reachable.push(id),
    });
    transport.start();
    await settle(() => transport.links.every((l) => l.isOpen));
    const device = await kit.enroll('disp-4', ['serial']);
    await expect(transport.send('disp-4', new Uint8Array([1]))).rejects.toThrow(/not been seen/);
    b.deviceWrite(encodeSerialFrame(device.message(1)));
    await settle(() => b.fromGateway.length === 1);
    expect(transport.canReach('disp-4')).toBe(true);
    await transport.send('disp-4', new Uint8Array([9, 9]));
    expect(framesFrom(b.fromGateway).at(-1)).toStrictEqual(new Uint8Array([9, 9]));
    expect(a.fromGateway).toHaveLength(0);
    expect(reachable).toContain('disp-4');
    await transport.close();
  });
});

describe('SerialLink: property', () => {
  it('whatever garbage arrives between delimited good frames, each good frame is logged once and acked', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 64 }), async (garbage, chunkSize) => {
        const { kit, line, link } = await setup();
        const device = await kit.enroll('disp-p', ['serial']);
        const messages = garbage.map((_, i) => device.message(i + 1));
        // A 0x00 before each good frame ends whatever garbage came before it (a device flushes the line so).
        const stream = Buffer.concat(garbage.flatMap((g, i) => [Buffer.from(g), Buffer.from([0]), encodeSerialFrame(messages[i] ?? new Uint8Array())]));
        for (let at = 0; at < stream.length; at += chunkSize) line.deviceWrite(stream.subarray(at, at + chunkSize));
        await settle(() => line.fromGateway.length >= messages.length && kit.log.size() === messages.length + 1);
        const logged = Array.from({ length: messages.length }, (_, i) => decodeLogEntry(kit.log.readEntry(i + 1)).original);
        expect(logged).toStrictEqual(messages);
        await link.close();
      }),
      { numRuns: 25 },
    );
  });
});
