/**
 * `trialgate quarantine`: what the gateway refused, with why (spec section 7: nothing is dropped silently).
 * Works on a stopped gateway's data directory, and on a running one's through its admin socket.
 */
import { Option, type Command } from 'commander';
import { dataOption, fail, printJson, printTable, withAdmin } from './devices-session.js';

interface ListOptions {
  readonly data?: string;
  readonly device?: string;
  readonly reason?: string;
  readonly transport?: string;
  readonly since?: string;
  readonly until?: string;
  readonly after?: string;
  readonly limit?: string;
  readonly original?: boolean;
  readonly json?: boolean;
}

export function registerQuarantineCommand(program: Command): void {
  const quarantine = program.command('quarantine').description('messages and connections the gateway refused, with their reason codes');
  quarantine
    .command('list')
    .description('list quarantine records, oldest first')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--device <id>', 'only records claiming this device')
    .option('--reason <code>', 'only this reason code, e.g. E_COSE_SIGNATURE')
    .addOption(new Option('--transport <transport>', 'only this transport').choices(['mqtt', 'ble', 'serial']))
    .option('--since <time>', 'received at or after (ISO 8601 or ms since the epoch)')
    .option('--until <time>', 'received before (ISO 8601 or ms since the epoch)')
    .option('--after <id>', 'records after this id (paging)')
    .option('--limit <n>', 'at most this many (default 100, at most 10000)')
    .option('--original', 'include the bytes as received (base64; they may hold a reading)')
    .option('--json', 'print JSON')
    .action(async (options: ListOptions) => {
      const fromMs = time(options.since, '--since');
      const toMs = time(options.until, '--until');
      const afterId = whole(options.after, '--after');
      const limit = whole(options.limit, '--limit');
      if ([fromMs, toMs, afterId, limit].includes(null)) return;
      await withAdmin(dataOption(options.data), 'trialgate quarantine list', async (ops) => {
        const records = await ops.listQuarantine({
          ...(options.device === undefined ? {} : { claimedDeviceId: options.device }),
          ...(options.reason === undefined ? {} : { reason: options.reason }),
          ...(options.transport === undefined ? {} : { transport: options.transport }),
          ...(fromMs === undefined || fromMs === null ? {} : { fromMs }),
          ...(toMs === undefined || toMs === null ? {} : { toMs }),
          ...(afterId === undefined || afterId === null ? {} : { afterId }),
          ...(limit === undefined || limit === null ? {} : { limit }),
          withOriginal: options.original === true,
        });
        if (options.json === true) {
          printJson(records);
          return;
        }
        printTable(
          ['ID', 'RECEIVED', 'TRANSPORT', 'DEVICE', 'REASON', 'BYTES', 'MESSAGE'],
          records.map((r) => [String(r.id), r.received_at, r.transport, r.device ?? '-', r.reason, String(r.original_bytes), r.message]),
        );
        if (options.original === true) for (const r of records) process.stdout.write(`${r.id} ${r.original ?? ''}\n`);
      });
    });
  quarantine
    .command('counts')
    .description('number of quarantine records per reason code')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withAdmin(dataOption(options.data), 'trialgate quarantine counts', async (ops) => {
        const counts = await ops.quarantineCounts();
        if (options.json === true) printJson(counts);
        else printTable(['REASON', 'COUNT'], Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([reason, n]) => [reason, String(n)]));
      });
    });
}

function time(text: string | undefined, flag: string): number | undefined | null {
  if (text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    fail(`${flag} takes an ISO 8601 time or ms since the epoch`);
    return null;
  }
  return ms;
}

function whole(text: string | undefined, flag: string): number | undefined | null {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    fail(`${flag} takes a whole number`);
    return null;
  }
  return Number(text);
}
