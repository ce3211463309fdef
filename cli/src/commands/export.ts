/**
 * `trialgate export --data DIR --out FILE [--device ID]... [--from TIME] [--to TIME]`: a proof bundle (spec
 * section 8) for sponsors, checked with `trialgate verify`. Works on a stopped gateway's directory and on a
 * running one's (a read-only snapshot). The file appears whole or not at all.
 */
import { Option, type Command } from 'commander';
import type { LogView } from '@trialgate/gateway';
import { dataOption, fail, printJson, report } from './devices-session.js';

interface ExportOptions {
  readonly data?: string;
  readonly out: string;
  readonly device: string[];
  readonly from?: string;
  readonly to?: string;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a proof bundle of the log (all entries, or some devices in a time range)')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .requiredOption('--out <file>', 'where to write the bundle (JSON)')
    .option('--device <id>', 'only this device (repeatable)', collect, [])
    .option('--from <time>', 'received at or after (ISO 8601 or ms since the epoch)')
    .option('--to <time>', 'received before (ISO 8601 or ms since the epoch)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: ExportOptions) => {
      const dataDir = dataOption(options.data);
      if (dataDir === undefined || dataDir === '') {
        fail('the data directory is required: --data DIR (or TRIALGATE_DATA)');
        return;
      }
      let view: LogView | undefined;
      try {
        const gateway = await import('@trialgate/gateway');
        const fromMs = options.from === undefined ? undefined : gateway.parseExportTime(options.from, '--from');
        const toMs = options.to === undefined ? undefined : gateway.parseExportTime(options.to, '--to');
        const key = gateway.loadGatewayKey(dataDir);
        view = gateway.openLogView({ dataDir, holder: 'trialgate export' });
        const started = Date.now();
        const summary = await gateway.exportBundleToFile({
          view,
          gatewayKey: key.verifierKey,
          file: options.out,
          ...(options.device.length === 0 ? {} : { devices: options.device }),
          ...(fromMs === undefined ? {} : { fromMs }),
          ...(toMs === undefined ? {} : { toMs }),
        });
        if (options.json === true) {
          printJson({ file: options.out, ...summary, ms: Date.now() - started });
          return;
        }
        process.stdout.write(
          `wrote ${options.out}: ${summary.entries} entries of ${summary.origin} up to checkpoint ${summary.treeSize}, ` +
            `${summary.checkpoints} checkpoint(s), ${summary.finalAnchors} final anchor(s), ${summary.devices} device(s)\n`,
        );
        if (summary.notYetCheckpointed > 0) {
          process.stdout.write(`${summary.notYetCheckpointed} newer matching entries are not in it yet: the next checkpoint will cover them\n`);
        }
        if (summary.devicesWithoutKey.length > 0) {
          process.stderr.write(`warning: no public key known for ${summary.devicesWithoutKey.join(', ')}: their entries will not verify\n`);
        }
      } catch (error) {
        report(error);
      } finally {
        await view?.close();
      }
    });
}
