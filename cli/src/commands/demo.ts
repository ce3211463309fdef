/**
 * `trialgate demo [--duration S] [--devices N] [--rate R] [--out DIR] [--redis URL] [--faults]` (and
 * `npm start`): a whole simulated trial site on this machine as real processes (a local anvil chain, the
 * gateway, the anchor worker, simulated devices; Redis shared or private), live progress, then a proof bundle
 * verified against the chain (cli/src/demo/run-demo.ts; docs/demo.md).
 *
 * Exit status: verify's (0 valid, 1 invalid, 2 unusable, 3 inconclusive); 2 also for a usage error; 4 when
 * the demo could not run (a part failed: the message names it and shows its last log lines); 130 when
 * quit at once with a second Ctrl-C.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { isDemoError } from '../demo/demo-error.js';
import { DEFAULT_DEVICES, DEFAULT_DURATION_S, DEFAULT_OUT_DIR, DEFAULT_RATE_PER_DEVICE, parseDemoOptions, type DemoFlags } from '../demo/demo-options.js';
import type { DemoRun } from '../demo/run-demo.js';

const EXIT_USAGE = 2;
/** The entry point every part runs as: cli/bin/trialgate.js (from src/commands or dist/commands alike). */
const CLI_SCRIPT = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a whole simulated trial site here (chain, gateway, anchor worker, devices), then export and verify a proof bundle')
    .option('--duration <s>', `seconds the devices send readings (default ${DEFAULT_DURATION_S})`)
    .option('--devices <n>', `number of simulated devices, of every kind (default ${DEFAULT_DEVICES})`)
    .option('--rate <r>', `readings per second over all devices (default ${DEFAULT_RATE_PER_DEVICE} per device)`)
    .option('--out <dir>', `output directory: bundle.json, logs/, the gateway's data (default ${DEFAULT_OUT_DIR})`)
    .option('--redis <url>', 'Redis to use (default: REDIS_URL, else 127.0.0.1:6379, else a private redis-server)')
    .option('--faults', 'also inject every simulated fault kind (they end in the quarantine, with their reasons)')
    .action(async (flags: DemoFlags) => {
      // The demo's machinery (it starts processes, Redis, anvil) is loaded when it runs, not at CLI start-up.
      const { DemoRun, EXIT_DEMO_FAILED } = await import('../demo/run-demo.js');
      let run: DemoRun;
      try {
        run = new DemoRun(parseDemoOptions(flags, process.env, process.cwd()), {
          stdout: process.stdout,
          stderr: process.stderr,
          env: process.env,
          nodePath: process.execPath,
          cliScript: CLI_SCRIPT,
        });
      } catch (error) {
        if (isDemoError(error)) {
          process.stderr.write(`trialgate demo: ${error.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw error;
      }
      const onSignal = (): void => run.interrupt();
      // Whatever way node exits from here on, no part outlives the demo.
      const onExit = (): void => run.killAllNow();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.on('SIGHUP', onSignal);
      process.on('exit', onExit);
      try {
        process.exitCode = await run.run();
      } catch (error) {
        process.stderr.write(`trialgate demo: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = EXIT_DEMO_FAILED;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('SIGHUP', onSignal);
      }
    });
}
