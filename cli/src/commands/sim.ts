/**
 * `trialgate sim`: simulated trial-site devices (device-sim; docs/simulator.md).
 *
 *   trialgate sim [--broker URL] [--devices N] [--rate R/s] [--duration S] [--state DIR] [--gateway-key VKEY]
 *                 [--seed N] [--faults [KINDS]] [--faults-per-kind N] [--speed X] [--mix K=W,...] [--record FILE]
 *                 [--presign] [--outages] [--json]
 *   trialgate sim provision --state DIR [--devices N] [--mix K=W,...] [--seed N] [--id-prefix P]   (idempotent)
 *
 * The fleet (ids, keys, subjects) lives in the state directory with each device's seq counter and unsent
 * messages, so a second run continues where the first stopped; `devices.jsonl` there is the file
 * `trialgate devices import` takes. Progress lines go to standard error, the summary to standard output.
 *
 * Exit codes: 0 done (every reading acknowledged), 1 done but readings are left unacknowledged (they stay
 * stored for the next run), 2 usage error.
 */
import { join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type * as DeviceSim from '@trialgate/device-sim';
import type { Fleet, GatewayKey, SimulationOptions } from '@trialgate/device-sim';
// Only the names the options need at start-up: the simulator itself (mqtt.js, the device models) is loaded
// when a sim command runs, so that every other command starts without it (issue 3).
import { FAULT_KINDS, REGISTRY_IMPORT_FILE, isFaultKind, type FaultKind } from '@trialgate/device-sim/names';
import { formatSimProgress, formatSimSummary, parsePositiveInteger, parseRate, parseSeconds } from './sim-output.js';

const EXIT_PENDING = 1;
const EXIT_USAGE = 2;
const DEFAULT_STATE_DIR = 'sim-state';
const DEFAULT_DEVICES = 20;

interface SimFlags {
  broker: string;
  devices?: string;
  rate?: string;
  duration: string;
  state: string;
  gatewayKey?: string;
  seed: string;
  faults?: string | true;
  faultsPerKind: string;
  speed?: string;
  mix?: string;
  idPrefix?: string;
  record?: string;
  progress: string;
  outages?: boolean;
  presign?: boolean;
  oversizeBytes?: string;
  logLevel: string;
  json?: boolean;
}

export function registerSimCommand(program: Command): void {
  const sim = program
    .command('sim')
    .description('simulate trial-site devices: wearables, cuffs, meters, scales, pill dispensers; load and fault modes')
    .option('--broker <url>', 'MQTT broker (the gateway)', 'mqtt://127.0.0.1:1883')
    .option('--devices <n>', `number of devices, when the state directory has no fleet yet (default ${DEFAULT_DEVICES})`)
    .option('--rate <r/s>', 'load mode: readings per second in total, e.g. 500/s (default: natural mode)')
    .option('--duration <s>', 'seconds of producing readings', '60')
    .option('--state <dir>', 'state directory: fleet, keys, seq counters, unsent messages', DEFAULT_STATE_DIR)
    .option('--gateway-key <vkey>', "gateway's verifier key (<name>+<hex>+<base64>, raw base64, or @file) to verify downlink messages")
    .option('--seed <n>', 'seed of the fleet and of all behaviour', '1')
    .addOption(new Option('--faults [kinds]', `inject faults beside valid traffic: all, or a comma list of ${FAULT_KINDS.join(', ')}`))
    .option('--faults-per-kind <n>', 'how many of each fault kind', '1')
    .option('--speed <x>', 'natural mode: simulated time per real time (e.g. 60 = an hour per minute)')
    .option('--mix <kind=weight,...>', 'device mix of a new fleet, e.g. wearable=4,pill_dispenser=2,bp_cuff=1')
    .option('--id-prefix <prefix>', 'device id prefix of a new fleet', 'SIM')
    .option('--record <file>', 'write the record of every message sent (JSON lines)')
    .option('--progress <s>', 'seconds between progress lines', '5')
    .option('--outages', 'natural mode: devices drop out now and then (store-and-forward)')
    .option('--presign', 'load mode: sign the whole run before it starts, so signing does not limit the rate')
    .option('--oversize-bytes <n>', 'size of the oversize fault message')
    .option('--log-level <level>', 'pino log level on standard error', 'warn')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: SimFlags) => {
      await runSim(flags);
    });

  // The root command does not use positional options, so options written after `provision` are parsed by
  // `sim` itself: `provision` reads them from there (`--state`, `--devices`, `--mix`, `--seed`, `--id-prefix`).
  sim
    .command('provision')
    .description(
      `create a fleet in the state directory (--state, --devices, --mix, --seed, --id-prefix) and write ${REGISTRY_IMPORT_FILE} for \`trialgate devices import\`; ` +
        'again with the same parameters it changes nothing, with others it refuses',
    )
    .action(async () => {
      const flags = sim.opts<SimFlags>();
      const simulator = await import('@trialgate/device-sim');
      try {
        const stateDir = resolve(flags.state);
        const fleet = newFleet(simulator, flags);
        const existing = await simulator.loadFleet(stateDir);
        if (existing !== undefined) {
          // Idempotent (a deployment runs it at every start): the fleet these parameters make is already there.
          if (!simulator.sameFleet(existing, fleet)) {
            throw new RangeError(
              `${stateDir} already holds another fleet (${existing.devices.length} devices, seed ${existing.seed}) than these parameters make ` +
                `(${fleet.devices.length} devices, seed ${fleet.seed}); give the --devices, --mix, --seed and --id-prefix it was made with, or use another --state`,
            );
          }
          const importFile = join(stateDir, REGISTRY_IMPORT_FILE);
          if (!existsSync(importFile)) await simulator.saveFleet(stateDir, existing);
          process.stdout.write(`${existing.devices.length} devices already in ${stateDir} (unchanged)\nregistry import file: ${importFile}\n`);
          return;
        }
        const { importFile } = await simulator.saveFleet(stateDir, fleet);
        process.stdout.write(`${fleet.devices.length} devices in ${stateDir}\nregistry import file: ${importFile}\n`);
      } catch (error) {
        usageError(error);
      }
    });
}

function newFleet(simulator: typeof DeviceSim, flags: { devices?: string; mix?: string; seed: string; idPrefix?: string }): Fleet {
  return simulator.createFleet({
    size: parsePositiveInteger('--devices', flags.devices ?? String(DEFAULT_DEVICES)),
    seed: parseSeed(flags.seed),
    ...(flags.mix === undefined ? {} : { mix: simulator.parseDeviceMix(flags.mix) }),
    ...(flags.idPrefix === undefined ? {} : { idPrefix: flags.idPrefix }),
  });
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new RangeError(`--seed: expected an integer, got "${text}"`);
  return seed;
}

function parseFaults(value: string | true | undefined): FaultKind[] {
  if (value === undefined) return [];
  if (value === true || value === 'all') return [...FAULT_KINDS];
  return value.split(',').map((kind) => {
    const trimmed = kind.trim();
    if (!isFaultKind(trimmed)) throw new RangeError(`--faults: unknown fault kind "${trimmed}" (kinds: ${FAULT_KINDS.join(', ')})`);
    return trimmed;
  });
}

function readGatewayKey(simulator: typeof DeviceSim, value: string | undefined): GatewayKey | undefined {
  if (value === undefined) return undefined;
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  return simulator.parseGatewayKey(text);
}

function usageError(error: unknown): void {
  if (error instanceof RangeError || isTrialgateError(error)) {
    process.stderr.write(`trialgate sim: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  throw error;
}

async function runSim(flags: SimFlags): Promise<void> {
  const simulator = await import('@trialgate/device-sim');
  let options: Omit<SimulationOptions, 'store' | 'fleet'>;
  let fleet: Fleet;
  const stateDir = resolve(flags.state);
  try {
    const rate = flags.rate === undefined ? undefined : parseRate(flags.rate);
    const durationMs = parseSeconds('--duration', flags.duration);
    const faults = parseFaults(flags.faults);
    const gatewayKey = readGatewayKey(simulator, flags.gatewayKey);
    const speed = flags.speed === undefined ? undefined : Number(flags.speed);
    if (speed !== undefined && !(speed > 0)) throw new RangeError(`--speed: expected a positive number, got "${flags.speed}"`);
    const existing = await simulator.loadFleet(stateDir);
    if (existing !== undefined && flags.devices !== undefined && Number(flags.devices) !== existing.devices.length) {
      throw new RangeError(`${stateDir} holds a fleet of ${existing.devices.length} devices; omit --devices or use another --state`);
    }
    fleet = existing ?? newFleet(simulator, flags);
    if (existing === undefined) {
      const { importFile } = await simulator.saveFleet(stateDir, fleet);
      process.stderr.write(`new fleet of ${fleet.devices.length} devices; registry import file: ${importFile}\n`);
    }
    const logger = simulator.createSimLogger(flags.logLevel);
    options = {
      brokerUrl: flags.broker,
      durationMs,
      logger,
      faults,
      faultsPerKind: parsePositiveInteger('--faults-per-kind', flags.faultsPerKind),
      progressIntervalMs: parseSeconds('--progress', flags.progress),
      onProgress: (progress) => process.stderr.write(`${formatSimProgress(progress)}\n`),
      ...(rate === undefined ? {} : { rate }),
      ...(speed === undefined ? {} : { speed }),
      ...(gatewayKey === undefined ? {} : { gatewayKey }),
      ...(flags.presign === true ? { presign: true } : {}),
      ...(flags.outages === true ? { outages: { meanIntervalMs: 6 * 3_600_000, meanDurationMs: 30 * 60_000 } } : {}),
      ...(flags.oversizeBytes === undefined ? {} : { oversizeBytes: parsePositiveInteger('--oversize-bytes', flags.oversizeBytes) }),
      keepRecord: flags.record !== undefined,
    };
  } catch (error) {
    usageError(error);
    return;
  }

  const store = await simulator.FileDeviceStore.open(stateDir);
  const simulation = await simulator.startSimulation({ ...options, fleet, store });
  process.stderr.write(
    `simulating ${fleet.devices.length} devices against ${flags.broker} for ${options.durationMs / 1000} s` +
      (options.rate === undefined ? '' : ` at ${options.rate}/s`) +
      ((options.faults?.length ?? 0) > 0 ? `, with faults` : '') +
      ` (state ${stateDir})\n`,
  );
  let interrupts = 0;
  const onSignal = (): void => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('stopping: delivering what is stored (Ctrl-C again to quit at once)\n');
    void simulation.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await simulation.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await store.close();
  if (flags.record !== undefined) {
    const recordFile = resolve(flags.record);
    await simulator.writeMessageRecords(recordFile, result.records);
    process.stderr.write(`message record: ${recordFile}\n`);
  }
  if (flags.json === true) {
    const { records: _records, ...summary } = result;
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(formatSimSummary(result));
  }
  if (result.pending > 0) {
    process.stderr.write(`${result.pending} readings not acknowledged; they stay in ${join(stateDir, 'outbox.jsonl')} for the next run\n`);
    process.exitCode = EXIT_PENDING;
  }
}
