/**
 * `trialgate gateway`: runs the gateway process (docs/gateway.md). Every setting is a flag, a `TRIALGATE_*`
 * environment variable and a config-file key (precedence flag > environment > file > default).
 *
 * Output: pino JSON log lines on stdout; one human line on stderr once it listens (gateway-listening-line.ts). SIGTERM or SIGINT stops
 * it in order (no new connections, in-flight messages finished, final checkpoint) and exits 0; a second
 * signal exits at once with 1. Exit 2 for a configuration error, 1 if it cannot start.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type { RunningGateway } from '@trialgate/gateway';
import { ConfigError, SETTINGS, SETTING_KEYS, resolveGatewayConfig, type SettingKey } from '@trialgate/gateway/config';
import { formatListeningLine, gatewayListening } from './gateway-listening-line.js';

export function registerGatewayCommand(program: Command): void {
  const command = program
    .command('gateway')
    .description('run the gateway: MQTT broker, durable log, checkpoints (every flag also has a TRIALGATE_* variable and a config-file key)')
    .option('--config <file>', 'config file, JSON or YAML (env TRIALGATE_CONFIG)')
    .option('--print-config', 'print the resolved configuration and where each value came from, then exit');
  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key];
    const help = `${spec.description} [env ${spec.env}, file ${spec.file}]`;
    // Issue 6: `--serial` may be given several times (joined into the list the setting takes); `--ble` is a
    // switch (`--ble`, or `--ble off`).
    if (spec.kind === 'serial-ports') command.option(`--${spec.flag} <path[:baud]>`, help, (value: string, previous?: string) => (previous === undefined ? value : `${previous},${value}`));
    else if (spec.kind === 'switch') command.option(`--${spec.flag} [on|off]`, help);
    else command.option(`--${spec.flag} <value>`, help);
  }
  command.action(async (options: Record<string, string | boolean | undefined>) => {
    const flags: Partial<Record<SettingKey, string>> = {};
    for (const key of SETTING_KEYS) {
      const value = options[key];
      if (typeof value === 'string') flags[key] = value;
      else if (value === true) flags[key] = 'on';
    }
    let resolved;
    try {
      resolved = resolveGatewayConfig({
        flags,
        configFile: typeof options['config'] === 'string' ? options['config'] : undefined,
        env: process.env,
        cwd: process.cwd(),
        cores: availableParallelism(),
      });
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`error: ${error.message} [${error.code}]\n`);
        process.exitCode = 2;
        return;
      }
      throw error;
    }
    if (options['printConfig'] === true) {
      process.stdout.write(`${JSON.stringify({ config: resolved.config, sources: resolved.sources, configFile: resolved.configFile }, null, 2)}\n`);
      return;
    }

    let gateway: RunningGateway;
    try {
      // Loaded only now: `trialgate gateway --help` and config errors need none of it.
      const { startGateway } = await import('@trialgate/gateway');
      gateway = await startGateway(resolved.config);
    } catch (error) {
      process.stderr.write(`error: the gateway could not start: ${isTrialgateError(error) ? `${error.message} [${error.code}]` : error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
      return;
    }
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) {
        process.stderr.write(`trialgate gateway: ${signal} again, exiting without finishing\n`);
        process.exit(1);
      }
      process.stderr.write(`trialgate gateway: ${signal}, stopping\n`);
      gateway.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // Only now: a supervisor that stops the gateway as soon as it reads this line must find the handlers in
    // place (before them, SIGTERM's default action would kill the process without the orderly stop).
    process.stderr.write(`${formatListeningLine(gatewayListening(gateway))}\n`);
  });
}

