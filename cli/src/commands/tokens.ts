/**
 * `trialgate tokens create | list | revoke --data DIR`: API tokens for the HTTP API (scopes `read`, `export`,
 * `admin`). A new token is printed once, on stdout, and stored only as its hash. Tokens live in the state
 * database, which SQLite lets this command change beside a running gateway (it takes effect at once); the
 * log's files are not touched.
 */
import { Option, type Command } from 'commander';
import type { ApiTokenStore } from '@trialgate/gateway';
import { dataOption, fail, printJson, printTable, report } from './devices-session.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function withTokens(
  dataDir: string | undefined,
  body: (store: ApiTokenStore) => void,
): Promise<void> {
  if (dataDir === undefined || dataDir === '') {
    fail('the data directory is required: --data DIR (or TRIALGATE_DATA)');
    return;
  }
  try {
    const { openTokenStore } = await import('@trialgate/gateway');
    const opened = openTokenStore(dataDir);
    try {
      body(opened.tokens);
    } finally {
      opened.close();
    }
  } catch (error) {
    report(error);
  }
}

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('API tokens for the HTTP API');
  tokens
    .command('create')
    .description('create a token and print it once (store it now: it cannot be shown again)')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--scope <scope>', 'read | export | admin (repeatable)', collect, [])
    .option('--label <text>', 'what the token is for (shown by tokens list)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; scope: string[]; label?: string; json?: boolean }) => {
      await withTokens(dataOption(options.data), (store) => {
        const created = store.create({ scopes: options.scope, ...(options.label === undefined ? {} : { label: options.label }) });
        if (options.json === true) {
          printJson({ id: created.id, token: created.token, scopes: created.scopes, label: created.label });
        } else {
          process.stdout.write(`${created.token}\n`);
          process.stderr.write(`token ${created.id} created with scopes ${created.scopes.join(', ')}; it is not shown again\n`);
        }
      });
    });
  tokens
    .command('list')
    .description('list tokens (ids, scopes, labels; never the tokens themselves)')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withTokens(dataOption(options.data), (store) => {
        const list = store.list();
        if (options.json === true) {
          printJson(list);
          return;
        }
        printTable(
          ['ID', 'SCOPES', 'CREATED', 'REVOKED', 'LABEL'],
          list.map((t) => [
            t.id,
            t.scopes.join(','),
            new Date(t.createdAtMs).toISOString(),
            t.revokedAtMs === null ? '-' : new Date(t.revokedAtMs).toISOString(),
            t.label ?? '',
          ]),
        );
      });
    });
  tokens
    .command('revoke')
    .description('revoke a token (by id, from tokens list)')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .requiredOption('--id <id>', 'the token id')
    .action(async (options: { data?: string; id: string }) => {
      await withTokens(dataOption(options.data), (store) => {
        if (store.revoke(options.id)) process.stderr.write(`token ${options.id} revoked\n`);
        else fail(`no active token with id ${options.id}`);
      });
    });
}
