/**
 * `trialgate demo`: a whole simulated trial site on this machine, as real processes, from devices to a
 * verified proof bundle:
 *
 *   Redis (shared or private) ─ anvil (local chain) ─ trialgate gateway ─ trialgate anchor ─ trialgate sim
 *
 * then, after `--duration` or Ctrl-C: the devices stop; the gateway's checkpointer signs a checkpoint of
 * everything logged (the final one); the anchor worker anchors it and follows it to finality (the gateway
 * learns of it over Redis); the gateway and worker stop; `trialgate export` writes the bundle and
 * `trialgate verify --rpc` checks it against the chain with the gateway key pinned. The exit status is
 * verify's (spec section 8: 0 valid, 1 invalid, 2 unusable, 3 inconclusive), or 4 when the demo itself could
 * not run (a part failed; the message names it, shows its last log lines and where the logs are), 130 when
 * the user quit at once.
 *
 * Settings chosen for a demo, not a site: a checkpoint every 2 s, an anchor at most every 5 s, anvil mining a
 * block a second with `--slots-in-an-epoch 1` so that `finalized` trails the head by about two blocks.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFleet, saveFleet, type Fleet } from '@trialgate/device-sim';
import { findAnvilBinary } from '@trialgate/proof-formats';
import { DemoError, isDemoError } from './demo-error.js';
import { demoLayout, logFile, prepareOutDir, type DemoLayout } from './demo-layout.js';
import type { DemoOptions } from './demo-options.js';
import { DemoSite } from './demo-site.js';
import { GatewayProbe, type SiteSnapshot } from './gateway-probe.js';
import type { ManagedProcess } from './managed-process.js';
import { runningDemo, stopLeftovers } from './process-table.js';
import { ProgressDisplay, progressView, type OutputStream } from './progress-display.js';
import { readableLogLine } from './readable-log-line.js';
import { chooseRedis, deleteKeysWithPrefix, redactUrl, systemRedisPorts, type RedisChoice, type RedisPorts } from './redis-endpoint.js';

export const DEMO_ORIGIN = 'demo.trial.example/site-001/gw-1';
export const DEMO_CHAIN_ID = 31337;
/** Account 0 of anvil's published development mnemonic ("test test ... junk"): known to everyone, test only. */
const ANVIL_DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

export const EXIT_DEMO_FAILED = 4;
export const EXIT_INTERRUPTED = 130;

export interface DemoTimings {
  readonly checkpointInterval: string;
  readonly anchorMinInterval: string;
  readonly anchorPollInterval: string;
  /** How long to wait after the devices stop for the final checkpoint's anchor to be final. */
  readonly finalAnchorTimeoutMs: number;
  readonly startTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when stopping a part. */
  readonly stopGraceMs: number;
}

export const DEFAULT_TIMINGS: DemoTimings = {
  checkpointInterval: '2s',
  anchorMinInterval: '5s',
  anchorPollInterval: '500ms',
  finalAnchorTimeoutMs: 60_000,
  startTimeoutMs: 60_000,
  stopGraceMs: 20_000,
};

export interface DemoEnvironment {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The demo's environment; children get it without `TRIALGATE_*` (the demo sets their flags). */
  readonly env: NodeJS.ProcessEnv;
  /** node, and the `trialgate` entry point the parts run as (`cli/bin/trialgate.js`). */
  readonly nodePath: string;
  readonly cliScript: string;
  /** Redraw the progress in place (default: when stdout is a terminal). */
  readonly live?: boolean;
  readonly timings?: Partial<DemoTimings>;
  /** Default: the machine's (ping with ioredis, redis-server from PATH). */
  readonly redisPorts?: RedisPorts;
}

type Phase = 'starting' | 'devices' | 'finishing' | 'done';

interface StartedSite {
  readonly redis: RedisChoice;
  readonly queuePrefix: string;
  readonly anvilUrl: string;
  readonly gateway: ManagedProcess;
  readonly worker: ManagedProcess;
  readonly probe: GatewayProbe;
  readonly gatewayKey: string;
}

export class DemoRun {
  readonly #options: DemoOptions;
  readonly #io: DemoEnvironment;
  readonly #timings: DemoTimings;
  readonly #layout: DemoLayout;
  readonly #display: ProgressDisplay;
  readonly #site: DemoSite;
  #phase: Phase = 'starting';
  #interrupts = 0;
  #sim: ManagedProcess | null = null;
  #redis: RedisChoice | null = null;
  #queuePrefix: string | null = null;

  constructor(options: DemoOptions, io: DemoEnvironment) {
    this.#options = options;
    this.#io = io;
    this.#timings = { ...DEFAULT_TIMINGS, ...io.timings };
    this.#layout = demoLayout(options.outDir);
    this.#display = new ProgressDisplay(io.stdout, io.live === undefined ? {} : { live: io.live });
    this.#site = new DemoSite(this.#layout.processTable, childEnvironment(io.env));
  }

  /** Ctrl-C (SIGINT), SIGTERM, SIGHUP: the first finishes early (or stops, while starting); the second quits. */
  interrupt(): void {
    this.#interrupts += 1;
    if (this.#interrupts > 1 || this.#phase === 'starting') {
      this.#say(this.#interrupts > 1 ? 'Quitting at once: stopping everything the demo started.' : 'Stopping: the site was not up yet.');
      this.#site.quit('interrupted');
      return;
    }
    if (this.#phase === 'devices') {
      this.#say('Finishing early: stopping the devices (Ctrl-C again to quit at once).');
      void this.#sim?.stop('SIGINT', 30_000);
      return;
    }
    this.#say('Already finishing: waiting for the final anchor (Ctrl-C again to quit at once).');
  }

  /** Synchronous last resort (process exit): kills every part still running. */
  killAllNow(): void {
    this.#site.killAllNow();
  }

  async run(): Promise<number> {
    let code: number;
    try {
      code = await this.#main();
    } catch (error) {
      code = this.#report(error);
    } finally {
      this.#phase = 'done';
      this.#display.finish();
    }
    // After a failure or a quit, parts get a short grace: the devices would otherwise spend 15 s trying to
    // deliver to a gateway that is gone.
    await this.#stopEverything(code === EXIT_INTERRUPTED ? 3000 : code === EXIT_DEMO_FAILED ? 5000 : this.#timings.stopGraceMs);
    return code;
  }

  async #main(): Promise<number> {
    const { options, layout } = { options: this.#options, layout: this.#layout };
    this.#say(`Trialgate demo: a simulated clinical-trial site on this machine, from devices to a verified proof bundle.`);
    this.#say(`Output: ${layout.root}`);
    const other = runningDemo(layout.processTable);
    if (other !== null) {
      throw new DemoError('E_DEMO_OUT_DIR', `another demo run (pid ${other}) is using ${layout.root}: wait for it to end, or choose another --out`);
    }
    const leftovers = stopLeftovers(layout.processTable);
    if (leftovers.length > 0) this.#say(`Stopped processes left over from an earlier run that was killed: ${leftovers.join(', ')}.`);
    const { replacedPreviousRun } = prepareOutDir(layout);
    if (replacedPreviousRun) this.#say('(The previous demo run\'s files there were replaced.)');
    this.#say('');

    const site = await this.#startSite();
    const fleetSize = options.devices;

    // Devices.
    this.#phase = 'devices';
    const sim = this.#startDevices(site);
    this.#say(`Running for ${options.durationS} s. Ctrl-C finishes early; twice quits at once.`);
    await this.#watchProgress(site.probe, sim, fleetSize);
    this.#phase = 'finishing';
    const status = await sim.exited;
    if (status.code !== 0 && status.code !== 1 && !(sim.stopRequested && status.signal !== null)) {
      throw new DemoError('E_DEMO_PART_FAILED', `the simulated devices stopped unexpectedly (exit status ${status.code ?? status.signal ?? 'unknown'})`, {
        details: { part: 'the simulated devices (trialgate sim)', logFile: sim.logFile },
      });
    }
    this.#say(simSummaryLine(sim.stdout, status.code));
    const quarantined = (await this.#site.guard(site.probe.snapshot()))?.quarantined ?? 0;
    if (quarantined > 0) {
      this.#say(
        `${quarantined.toLocaleString('en-US')} refused messages or connections are kept in the gateway's quarantine with their reasons ` +
          `(trialgate quarantine list --data ${path.relative(process.cwd(), layout.gatewayData) || layout.gatewayData}).`,
      );
    }

    // The final checkpoint and its anchor.
    const entries = (await this.#site.guard(site.probe.treeSize())) ?? 0;
    this.#say(`Waiting for the final checkpoint of all ${entries.toLocaleString('en-US')} log entries and for its anchor to be final...`);
    const final = await this.#waitForFinalAnchor(site.probe, entries);

    // Stop the gateway and the worker, then export from the stopped data directory.
    this.#say('Stopping the gateway and the anchor worker.');
    await this.#site.guard(site.gateway.stop('SIGTERM', this.#timings.stopGraceMs));
    await this.#site.guard(site.worker.stop('SIGTERM', this.#timings.stopGraceMs));
    const exported = await this.#cli('trialgate export', ['export', '--data', layout.gatewayData, '--out', layout.bundle, '--json'], 120_000);
    if (exported.status.code !== 0) throw failedCommand('trialgate export', exported.output, logFile(layout, 'commands'));
    this.#say(exportSummaryLine(layout.bundle, exported.stdout));

    // Verify, as a sponsor would: trusting nothing of the site, the gateway key pinned as the site published it.
    const verifyArgs = ['verify', layout.bundle, '--rpc', site.anvilUrl, '--gateway-key', site.gatewayKey];
    this.#say('');
    this.#say(`$ trialgate verify ${path.relative(process.cwd(), layout.bundle) || layout.bundle} --rpc ${site.anvilUrl} --gateway-key ${site.gatewayKey}`);
    const verified = await this.#cli('trialgate verify', verifyArgs, 120_000);
    for (const line of verified.stdout.trimEnd().split('\n')) this.#say(`  ${line}`);
    const code = verified.status.code ?? 2;
    this.#say('');
    this.#say(verdictLine(code, final));
    this.#say(`Bundle: ${layout.bundle}   Logs: ${layout.logs}`);
    this.#say(
      'The local chain stops with the demo; afterwards `trialgate verify ' +
        `${path.relative(process.cwd(), layout.bundle) || layout.bundle}\` still checks everything but the anchors.`,
    );
    return code;
  }

  async #startSite(): Promise<StartedSite> {
    const { options, layout } = { options: this.#options, layout: this.#layout };
    const timeout = this.#timings.startTimeoutMs;

    // Redis.
    const ports = this.#io.redisPorts ?? systemRedisPorts({ dataDir: layout.redisData, logFile: logFile(layout, 'redis'), env: childEnvironment(this.#io.env) });
    const redis = await this.#site.guard(chooseRedis(options.redisUrl, ports));
    this.#redis = redis;
    if (redis.started !== null) this.#site.adopt(redis.started, { watch: true });
    const queuePrefix = `tg-demo-${randomBytes(4).toString('hex')}`;
    this.#queuePrefix = queuePrefix;
    const redisHow = redis.how === 'private' ? 'a private redis-server the demo started (none answered at 127.0.0.1:6379)' : 'already running';
    this.#say(`  Redis        ${redactUrl(redis.url)}: ${redisHow}; this run's queue prefix is ${queuePrefix}`);

    // The chain.
    const anvil = findAnvilBinary();
    if (anvil === null) {
      throw new DemoError('E_DEMO_PART_FAILED', 'anvil (the local chain) is not installed: run `npm ci` in the repository, which installs @foundry-rs/anvil', {
        details: { part: 'the local chain (anvil)' },
      });
    }
    const chain = this.#site.start(
      'the local chain (anvil)',
      anvil,
      ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(DEMO_CHAIN_ID), '--accounts', '1', '--block-time', '1', '--slots-in-an-epoch', '1'],
      logFile(layout, 'anvil'),
      { watch: true },
    );
    const listening = await this.#site.guard(chain.waitForOutput(/Listening on 127\.0\.0\.1:(\d+)/, timeout));
    const anvilUrl = `http://127.0.0.1:${listening[1] ?? ''}`;
    this.#say(`  Chain        anvil at ${anvilUrl}, chain id ${DEMO_CHAIN_ID}, a block every second, final two blocks behind`);

    // The fleet, enrolled in the gateway's registry before its first start.
    const fleet = createFleet({ size: options.devices, seed: 1 });
    const { importFile } = await saveFleet(layout.simState, fleet);
    const imported = await this.#cli('trialgate devices import', ['devices', 'import', '--data', layout.gatewayData, importFile], timeout);
    if (imported.status.code !== 0) throw failedCommand('trialgate devices import', imported.output, logFile(layout, 'commands'));
    this.#say(`  Devices      ${describeFleet(fleet)}, each with its own Ed25519 key, enrolled in the registry`);

    // The gateway.
    const gateway = this.#startCli('the gateway (trialgate gateway)', 'gateway', [
      'gateway', '--data', layout.gatewayData, '--origin', DEMO_ORIGIN,
      '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0',
      '--redis', redis.url, '--queue-prefix', queuePrefix,
      '--checkpoint-interval', this.#timings.checkpointInterval, '--log-level', 'info',
    ]);
    const ready = await this.#site.guard(gateway.waitForOutput(/listening on (mqtt:\/\/[^\s,;]+).*?; API (http:\/\/[^\s;]+);/, timeout));
    const mqttUrl = ready[1] ?? '';
    const probe = new GatewayProbe(ready[2] ?? '');
    const gatewayKey = await this.#site.guard(probe.verifierKey());
    if (gatewayKey === null) throw new DemoError('E_DEMO_PART_FAILED', 'the gateway did not serve its verifier key at /key', { details: { part: gateway.name, logFile: gateway.logFile } });
    this.#say(`  Gateway      ${DEMO_ORIGIN}: MQTT ${mqttUrl}, API ${ready[2] ?? ''}`);
    this.#say(`               verifier key ${gatewayKey}`);

    // The anchor worker: anvil's development key, the gateway's key pinned.
    writeFileSync(layout.anchorKey, `${ANVIL_DEV_KEY}\n`, { mode: 0o600 });
    const worker = this.#startCli('the anchor worker (trialgate anchor)', 'anchor', [
      'anchor', '--redis', redis.url, '--queue-prefix', queuePrefix, '--rpc', anvilUrl, '--chain-id', String(DEMO_CHAIN_ID),
      '--key-file', layout.anchorKey, '--gateway-key', gatewayKey,
      '--min-interval', this.#timings.anchorMinInterval, '--poll-interval', this.#timings.anchorPollInterval, '--log-level', 'info',
    ]);
    const anchoring = await this.#site.guard(worker.waitForOutput(/anchoring from (0x[0-9a-fA-F]{40})/, timeout));
    this.#say(
      `  Anchoring    from ${anchoring[1] ?? ''} (anvil's published test key), at most every ${this.#timings.anchorMinInterval}, ` +
        'only checkpoints signed by the pinned gateway key',
    );
    return { redis, queuePrefix, anvilUrl, gateway, worker, probe, gatewayKey };
  }

  #startDevices(site: StartedSite): ManagedProcess {
    const options = this.#options;
    const brokerUrl = /mqtt:\/\/([^\s,;]+)/.exec(site.gateway.output)?.[0] ?? '';
    const sim = this.#startCli('the simulated devices (trialgate sim)', 'devices', [
      'sim', '--broker', brokerUrl, '--state', this.#layout.simState, '--rate', `${options.rate}/s`,
      '--duration', String(options.durationS), '--gateway-key', site.gatewayKey, '--progress', '5', '--log-level', 'warn', '--json',
      ...(options.faults ? ['--faults'] : []),
    ], { watch: false });
    this.#sim = sim;
    return sim;
  }

  async #watchProgress(probe: GatewayProbe, sim: ManagedProcess, devicesTotal: number): Promise<void> {
    const startedAt = Date.now();
    const snapshots: SiteSnapshot[] = [];
    let simExited = false;
    void sim.exited.then(() => {
      simExited = true;
    });
    for (;;) {
      await this.#site.guard(Promise.race([sim.exited, delay(1000)]));
      const snapshot = await this.#site.guard(probe.snapshot());
      if (snapshot !== null) {
        snapshots.push(snapshot);
        if (snapshots.length > 10) snapshots.shift();
      }
      this.#display.update(progressView(snapshots, { elapsedS: (Date.now() - startedAt) / 1000, durationS: this.#options.durationS, devicesTotal }));
      if (simExited) break;
    }
    this.#display.finish();
  }

  /**
   * Waits until a checkpoint covering `entries` has a final anchor, saying each step; bounded. Returns the
   * anchor's description, or null when the time ran out (the bundle is then written with what is final).
   */
  async #waitForFinalAnchor(probe: GatewayProbe, entries: number): Promise<string | null> {
    const deadline = Date.now() + this.#timings.finalAnchorTimeoutMs;
    const said = new Set<string>();
    const sayOnce = (key: string, text: string): void => {
      if (said.has(key)) return;
      said.add(key);
      this.#say(text);
    };
    while (Date.now() < deadline) {
      const checkpoints = await this.#site.guard(probe.latestCheckpoints(10));
      const covering = checkpoints.filter((c) => c.treeSize >= entries).sort((a, b) => a.treeSize - b.treeSize);
      for (const checkpoint of covering) {
        sayOnce(`signed-${checkpoint.treeSize}`, `  checkpoint of ${checkpoint.treeSize.toLocaleString('en-US')} entries signed by the gateway`);
        for (const anchor of checkpoint.anchors) {
          if (anchor.state === 'submitted' || anchor.state === 'included' || anchor.state === 'final') {
            sayOnce(`sent-${checkpoint.treeSize}`, `  its digest sent to chain ${anchor.chainId}: transaction ${anchor.txHash ?? '?'}`);
          }
          if ((anchor.state === 'included' || anchor.state === 'final') && anchor.blockNumber !== null) {
            sayOnce(`included-${checkpoint.treeSize}`, `  included in block ${anchor.blockNumber}`);
          }
          if (anchor.state === 'final') {
            const description = `block ${anchor.blockNumber ?? '?'} of chain ${anchor.chainId}`;
            this.#say(`  final: the chain's finalized block is at or past ${description}`);
            return description;
          }
        }
      }
      await this.#site.guard(delay(500));
    }
    this.#say(
      `  The final checkpoint's anchor was not final within ${Math.round(this.#timings.finalAnchorTimeoutMs / 1000)} s; ` +
        'the bundle is written with the anchors that are final (see logs/anchor.log).',
    );
    return null;
  }

  #startCli(name: string, logName: string, args: readonly string[], options: { readonly watch: boolean } = { watch: true }): ManagedProcess {
    return this.#site.start(name, this.#io.nodePath, [this.#io.cliScript, ...args], logFile(this.#layout, logName), options);
  }

  #cli(name: string, args: readonly string[], timeoutMs: number): ReturnType<DemoSite['command']> {
    return this.#site.command(name, this.#io.nodePath, [this.#io.cliScript, ...args], logFile(this.#layout, 'commands'), timeoutMs);
  }

  async #stopEverything(graceMs: number): Promise<void> {
    const running = this.#site.running.length;
    if (running > 0) this.#say(`Stopping ${running} process${running === 1 ? '' : 'es'} the demo started...`);
    await this.#site.stopAll(graceMs);
    // This run's queue and anchor state on a shared Redis are of no use once its chain is gone.
    const redis = this.#redis;
    const prefix = this.#queuePrefix;
    if (redis !== null && redis.started === null && prefix !== null) await deleteKeysWithPrefix(redis.url, prefix).catch(() => 0);
    if (running > 0) this.#say('Stopped everything the demo started.');
  }

  #report(error: unknown): number {
    this.#display.finish();
    if (isDemoError(error) && error.code === 'E_DEMO_INTERRUPTED') return EXIT_INTERRUPTED;
    // A watched part that died is the cause even when a wait failed first because of it.
    const failure = this.#site.failed ?? error;
    const err = this.#io.stderr;
    if (isDemoError(failure)) {
      err.write(`\ntrialgate demo: ${failure.message} [${failure.code}]\n`);
      const logPath = typeof failure.details['logFile'] === 'string' ? failure.details['logFile'] : null;
      const part = logPath === null ? undefined : this.#site.partLoggingTo(logPath);
      const lines = failure.code === 'E_DEMO_PART_FAILED' && failure.message.includes('\n') ? [] : (part?.lastLines(15) ?? []);
      if (lines.length > 0) {
        err.write(`Its last log lines (${logPath ?? ''}):\n`);
        for (const line of lines) err.write(`  | ${readableLogLine(line)}\n`);
      }
    } else {
      err.write(`\ntrialgate demo: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    err.write(`All logs are in ${this.#layout.logs}${path.sep}\n`);
    return EXIT_DEMO_FAILED;
  }

  #say(text: string): void {
    this.#display.message(text);
  }
}

function failedCommand(name: string, output: string, log: string): DemoError {
  const lines = output.split('\n').filter((l) => l.trim() !== '').slice(-15);
  return new DemoError('E_DEMO_PART_FAILED', `${name} failed:\n${lines.map((l) => `  | ${readableLogLine(l)}`).join('\n')}`, {
    details: { part: name, logFile: log },
  });
}

/** The children's environment: the demo passes every setting as a flag, so none may come from TRIALGATE_*. */
function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('TRIALGATE_')));
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  wearable: 'wearable',
  pill_dispenser: 'pill dispenser',
  blister_pack: 'smart blister pack',
  bp_cuff: 'blood-pressure cuff',
  glucose_meter: 'glucose meter',
  scale: 'scale',
};

export function describeFleet(fleet: Fleet): string {
  const counts = new Map<string, number>();
  for (const device of fleet.devices) counts.set(device.kind, (counts.get(device.kind) ?? 0) + 1);
  const parts = [...counts.entries()].map(([kind, n]) => `${n} ${KIND_NAMES[kind] ?? kind}${n === 1 ? '' : 's'}`);
  return `${fleet.devices.length} simulated devices (${parts.join(', ')})`;
}

function simSummaryLine(stdout: string, code: number | null): string {
  let summary: { produced?: unknown; delivered?: unknown; pending?: unknown; faults?: unknown } = {};
  try {
    summary = JSON.parse(stdout) as typeof summary;
  } catch {
    // The devices' summary is missing (killed): say what is known.
  }
  const num = (value: unknown): string => (typeof value === 'number' ? value.toLocaleString('en-US') : '?');
  const faults = typeof summary.faults === 'object' && summary.faults !== null ? Object.values(summary.faults).reduce<number>((a, b) => a + (typeof b === 'number' ? b : 0), 0) : 0;
  const pending = code === 1 ? `; ${num(summary.pending)} not acknowledged (kept in the devices' outbox)` : '';
  return `Devices stopped: ${num(summary.produced)} readings sent, ${num(summary.delivered)} acknowledged by the gateway` +
    ` (a PUBACK only once on disk)${faults > 0 ? `; ${faults} faults injected` : ''}${pending}.`;
}

function exportSummaryLine(bundle: string, stdout: string): string {
  try {
    const s = JSON.parse(stdout) as { entries: number; checkpoints: number; finalAnchors: number; devices: number; bytes: number };
    return `Bundle written: ${bundle}: ${s.entries.toLocaleString('en-US')} entries from ${s.devices} devices, ` +
      `${s.checkpoints} checkpoints with ${s.finalAnchors} final anchors (${Math.round(s.bytes / 1024).toLocaleString('en-US')} KiB)`;
  } catch {
    return `Bundle written: ${bundle}`;
  }
}

function verdictLine(code: number, final: string | null): string {
  switch (code) {
    case 0:
      return `VERDICT: VALID. Every entry is proven unchanged and in the signed log, every device signature and seq holds, ` +
        `and the anchors are final on the chain${final === null ? '' : ` (the last in ${final})`}.`;
    case 1:
      return 'VERDICT: INVALID. Something failed: see the failures listed above.';
    case 3:
      return 'VERDICT: INCONCLUSIVE. A check could not be completed (an anchor not final yet, or the chain did not answer).';
    default:
      return 'VERDICT: UNUSABLE. The bundle could not be read as a proof bundle.';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
