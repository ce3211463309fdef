/**
 * `trialgate checkpoints list | verify --data DIR`: the signed checkpoints with their anchor states, and a
 * full audit of the stored log against them (every entry re-hashed, every stored node recomputed, every
 * checkpoint's root recomputed). Read-only: on a running gateway's directory they read a snapshot.
 * Exit status of verify: 0 intact, 1 altered or damaged (each problem named), 2 unusable directory.
 */
import { Option, type Command } from 'commander';
import type { LogView } from '@trialgate/gateway';
import { dataOption, fail, printJson, printTable, report } from './devices-session.js';


async function withView(dataDir: string | undefined, holder: string, body: (view: LogView) => Promise<void> | void): Promise<void> {
  if (dataDir === undefined || dataDir === '') {
    fail('the data directory is required: --data DIR (or TRIALGATE_DATA)');
    return;
  }
  let view: LogView;
  try {
    const { openLogView } = await import('@trialgate/gateway');
    view = openLogView({ dataDir, holder });
  } catch (error) {
    report(error);
    process.exitCode = 2;
    return;
  }
  try {
    await body(view);
  } catch (error) {
    report(error);
  } finally {
    await view.close();
  }
}

export function registerCheckpointsCommand(program: Command): void {
  const checkpoints = program.command('checkpoints').description("the gateway's signed checkpoints and their anchors");
  checkpoints
    .command('list')
    .description('list signed checkpoints, newest first, with their anchor state per chain')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--limit <n>', 'at most this many (default 20)', '20')
    .option('--json', 'print JSON (with the signed notes)')
    .action(async (options: { data?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isSafeInteger(limit) || limit < 1) {
        fail('--limit must be a positive integer');
        return;
      }
      await withView(dataOption(options.data), 'trialgate checkpoints list', async (view) => {
        const { AnchorStore } = await import('@trialgate/gateway');
        const anchors = new AnchorStore(view.db, view.origin ?? '');
        const list = view.checkpoints.list({ descending: true, limit }).map((c) => ({
          tree_size: c.treeSize,
          root_hash: Buffer.from(c.rootHash).toString('base64'),
          signed_at: new Date(c.signedAtMs).toISOString(),
          note: c.note,
          anchors: anchors.forCheckpoint(c.treeSize).map((a) => ({
            chain_id: a.chainId,
            state: a.state,
            tx_hash: a.txHash,
            block_number: a.blockNumber,
            ...(a.error === null ? {} : { error: a.error }),
          })),
        }));
        if (options.json === true) {
          printJson({ origin: view.origin, tree_size: view.size(), checkpoints: list });
          return;
        }
        process.stdout.write(`${view.origin ?? '(no origin)'}: ${view.size()} entries\n`);
        printTable(
          ['SIZE', 'SIGNED', 'ROOT', 'ANCHORS'],
          list.map((c) => [
            String(c.tree_size),
            c.signed_at,
            c.root_hash,
            c.anchors.length === 0 ? '-' : c.anchors.map((a) => `${a.chain_id}:${a.state}${a.block_number === null ? '' : `@${a.block_number}`}`).join(' '),
          ]),
        );
      });
    });
  checkpoints
    .command('verify')
    .description('audit the stored log: re-hash every entry, recompute the tree and every signed checkpoint root')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--json', 'print the report as JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withView(dataOption(options.data), 'trialgate checkpoints verify', async (view) => {
        const { auditStoredLogReport } = await import('@trialgate/gateway');
        const report = auditStoredLogReport({
          size: view.size(),
          readEntry: (i) => view.readEntry(i),
          forEachEntry: (from, to, onEntry) => view.forEachEntry(from, to, onEntry),
          treeStore: view.treeNodes,
          checkpoints: view.checkpoints.list({ limit: 100_000 }),
          onProgress: (done) => {
            if (options.json !== true && process.stderr.isTTY) process.stderr.write(`\r${done} entries checked`);
          },
        });
        if (options.json === true) {
          printJson({ origin: view.origin, ...report, verdict: report.problems.length === 0 ? 'intact' : 'altered' });
        } else {
          if (process.stderr.isTTY) process.stderr.write('\r');
          for (const problem of report.problems) process.stdout.write(`FAIL ${problem.kind} ${problem.at}: ${problem.message}\n`);
          process.stdout.write(
            report.problems.length === 0
              ? `intact: ${report.entries} entries, ${report.nodes} stored nodes and ${report.checkpoints} checkpoints check out\n`
              : `ALTERED: ${report.problems.length}${report.problems.length >= 100 ? '+' : ''} problems in ${report.entries} entries\n`,
          );
        }
        if (report.problems.length > 0) process.exitCode = 1;
      });
    });
}
