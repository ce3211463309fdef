/**
 * `trialgate anchor --redis URL --rpc URL --key-file FILE [--chain-id N] [--confirmations N] [--config FILE]`:
 * runs the anchor worker (anchor-service; docs/anchoring.md). Each flag is also a `TRIALGATE_*` environment
 * variable and a config-file key; the key itself may come from `TRIALGATE_ANCHOR_KEY`. Logs are pino JSON on
 * standard output; one plain line on standard error says what it anchors where. SIGTERM or SIGINT stop it
 * cleanly: active checkpoints go back to the queue and resume on the next worker.
 *
 * Exit codes: 0 stopped by a signal, 1 start-up failed (chain mismatch, no finality, key), 2 usage or
 * configuration error.
 */
import type { Command } from 'commander';
import type { RunningAnchorService } from '@trialgate/anchor-service';
// Only the settings table at start-up: the service (BullMQ, viem) is loaded when the command runs, so that
// every other command, `trialgate gateway` above all, starts without it (issue 3).
import { ANCHOR_CONFIG_FILE_ENV, ANCHOR_SETTINGS, ANCHOR_SETTING_KEYS, type AnchorSettingKey } from '@trialgate/anchor-service/settings';

const EXIT_STARTUP = 1;

const PLACEHOLDERS: Readonly<Record<(typeof ANCHOR_SETTINGS)[AnchorSettingKey]['kind'], string>> = {
  'redis-url': 'url',
  url: 'url',
  path: 'file',
  count: 'n',
  duration: 'duration',
  wei: 'amount',
  port: 'port',
  host: 'address',
  text: 'text',
  'log-level': 'level',
  vkeys: 'vkeys',
};
const EXIT_USAGE = 2;

export function registerAnchorCommand(program: Command): void {
  const command = program
    .command('anchor')
    .description('run the anchor worker: anchor signed checkpoints from the queue on EVM chains, through finality')
    .option('--config <file>', `config file, JSON or YAML (env ${ANCHOR_CONFIG_FILE_ENV}); may list several chains`);
  for (const key of ANCHOR_SETTING_KEYS) {
    const spec = ANCHOR_SETTINGS[key];
    command.option(`--${spec.flag} <${PLACEHOLDERS[spec.kind]}>`, `${spec.description} [env ${spec.env}, file key ${spec.file}]`);
  }
  command.action(async (flags: Partial<Record<AnchorSettingKey, string>> & { config?: string }) => {
    const { createAnchorLogger, describeFinality, isAnchorError, resolveAnchorConfig, startAnchorService } = await import('@trialgate/anchor-service');
    let resolved;
    try {
      const { config: configFile, ...settings } = flags;
      resolved = resolveAnchorConfig({ flags: settings, configFile, env: process.env, cwd: process.cwd() });
    } catch (error) {
      if (isAnchorError(error)) {
        process.stderr.write(`trialgate anchor: ${error.message}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      throw error;
    }
    const { config } = resolved;
    const logger = createAnchorLogger(config.logLevel);
    const stopping = new AbortController();
    let service: RunningAnchorService | null = null;
    let signals = 0;
    const stop = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) process.exit(EXIT_STARTUP);
      logger.info({ signal }, 'stopping');
      stopping.abort();
      void (service?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    try {
      service = await startAnchorService(config, { logger, signal: stopping.signal });
    } catch (error) {
      if (stopping.signal.aborted) return;
      const message = isAnchorError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      process.stderr.write(`trialgate anchor: ${message}\n`);
      process.exit(EXIT_STARTUP);
    }
    const chains = service.chains.map((chain) => `chain ${chain.chainId} via ${chain.endpoint} (${describeFinality(chain.finality)})`).join(', ');
    process.stderr.write(
      `trialgate anchor: anchoring from ${service.address} on ${chains}${service.metricsUrl === null ? '' : `; metrics at ${service.metricsUrl}`}\n`,
    );
  });
}
