/**
 * A child process for the crash test (durable-gateway-log.int.test.ts): appends signed readings of one
 * device from `startSeq` on, many in flight at once, and prints `ack <seq> <status> <index>` for each append
 * that resolved (what a broker would PUBACK), until it is killed. Run from the built dist:
 *   node gateway/dist/storage/testing/crash-appender.js DATA_DIR DEVICE START_SEQ
 */
import { openLogStore } from '../log-store.js';
import { readingEntry } from './test-messages.js';

const [dataDirArg, deviceArg, start] = process.argv.slice(2);
if (dataDirArg === undefined || deviceArg === undefined || start === undefined) {
  process.stderr.write('usage: crash-appender DATA_DIR DEVICE START_SEQ\n');
  process.exit(2);
}
const dataDir: string = dataDirArg;
const device: string = deviceArg;
const store = openLogStore({ dataDir, origin: 'trial.example/crash/gw', segmentCapacity: 512, limits: { syncDerivedEvery: 300 } });
process.stdout.write(`ready ${store.log.size()}\n`);
let seq = Number(start);
const IN_FLIGHT = 64;

function next(): void {
  const current = seq;
  seq += 1;
  const reading = readingEntry(device, current, { bpm: 60 + (current % 40) });
  store.log.append(reading.entry, reading.claim).then(
    (outcome) => {
      // A line lost to the kill only means the test checks one acknowledgement fewer.
      process.stdout.write(`ack ${current} ${outcome.status} ${outcome.index}\n`);
      next();
    },
    (error: unknown) => {
      process.stderr.write(`append failed: ${String(error)}\n`);
      next();
    },
  );
  if (current % 50 === 0) {
    void store.log.quarantine({
      receivedAtMs: Date.now(),
      transport: 'mqtt',
      claimedDeviceId: device,
      source: 'crash-test',
      reason: 'E_TEST',
      message: 'a quarantine record written during the crash test',
      details: { seq: current },
      original: new Uint8Array([current % 256]),
    });
  }
}

for (let i = 0; i < IN_FLIGHT; i++) next();
