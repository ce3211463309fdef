/**
 * `trialgate devices`: the device registry (spec section 1). Every change is appended to the log as a
 * `registry` entry. Works on a stopped gateway's data directory, and on a running one's through its admin
 * socket (the log has one writer).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { AdminOperations, DeviceChangeRequest, DeviceTransport, DeviceView } from '@trialgate/gateway';
import { dataOption, fail, printJson, printTable, withAdmin } from './devices-session.js';

// The registry checks transports itself; this list only words the help and the early refusal, and is a
// literal so that the CLI does not load the gateway package to print its help.
const DEVICE_TRANSPORTS = ['mqtt', 'ble', 'serial'] as const satisfies readonly DeviceTransport[];

interface CommonOptions {
  readonly data?: string;
  readonly json?: boolean;
}

export function registerDevicesCommand(program: Command): void {
  const devices = program.command('devices').description('enrol and manage devices (every change is logged as a registry entry)');
  const data = (): Option => new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)');
  const json = (): Option => new Option('--json', 'print JSON');

  devices
    .command('add')
    .description('enrol a device')
    .addOption(data())
    .requiredOption('--id <id>', 'device id (^[A-Za-z0-9._-]{1,64}$, e.g. the maker serial number)')
    .option('--public-key <base64>', "the device's Ed25519 public key, base64 of 32 bytes; leave out for a device that cannot sign (a standard BLE health device: ble only)")
    .requiredOption('--kind <kind>', 'device kind, e.g. wearable, bp_cuff, pill_dispenser')
    .option('--subject <id>', 'pseudonymous subject id (never a name or other direct identifier)')
    .option('--transports <list>', `allowed transports, comma-separated: ${DEVICE_TRANSPORTS.join(', ')} (default mqtt; ble without a public key)`)
    .addOption(json())
    .action(async (options: CommonOptions & { id: string; publicKey?: string; kind: string; subject?: string; transports?: string }) => {
      const transports = parseTransports(options.transports);
      if (transports === null) return;
      await withAdmin(dataOption(options.data), 'trialgate devices add', async (ops) => {
        const result = await ops.enrollDevice(
          { id: options.id, public_key: options.publicKey ?? null, kind: options.kind, subject: options.subject ?? null, ...(transports === undefined ? {} : { transports }) },
          'cli',
        );
        if (options.json === true) printJson(result);
        else {
          const keyless = result.device.public_key === null ? ', no key: its signed messages are refused' : '';
          process.stdout.write(`enrolled ${result.device.id} (${result.device.kind}, ${result.device.transports.join(',')}${keyless}) at log index ${result.index}\n`);
        }
      });
    });

  devices
    .command('import')
    .description('enrol many devices from a JSON-lines file: {"id", "public_key"?, "kind", "subject"?, "transports"?} per line (no public_key: a device that cannot sign); all or nothing')
    .addOption(data())
    .argument('<file>', 'JSON-lines file')
    .addOption(json())
    .action(async (file: string, options: CommonOptions) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        fail(`cannot read ${file}`);
        return;
      }
      await withAdmin(dataOption(options.data), 'trialgate devices import', async (ops) => {
        const result = await ops.importDevices(text, 'cli');
        if (options.json === true) printJson(result);
        else process.stdout.write(`enrolled ${result.enrolled.length} device(s); ${result.unchanged.length} already enrolled as in the file\n`);
      });
    });

  devices
    .command('list')
    .description('list enrolled devices')
    .addOption(data())
    .addOption(new Option('--status <status>', 'only devices with this status').choices(['active', 'suspended', 'retired']))
    .option('--kind <kind>', 'only devices of this kind')
    .option('--subject <id>', 'only devices assigned to this subject')
    .addOption(json())
    .action(async (options: CommonOptions & { status?: 'active' | 'suspended' | 'retired'; kind?: string; subject?: string }) => {
      await withAdmin(dataOption(options.data), 'trialgate devices list', async (ops) => {
        const list = await ops.listDevices({
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.kind === undefined ? {} : { kind: options.kind }),
          ...(options.subject === undefined ? {} : { subject: options.subject }),
        });
        if (options.json === true) printJson(list);
        else printDevices(list);
      });
    });

  devices
    .command('show')
    .description("show a device, its key history and its registry changes")
    .addOption(data())
    .argument('[id]', 'device id')
    .option('--id <id>', 'device id (instead of the argument)')
    .addOption(json())
    .action(async (positional: string | undefined, options: CommonOptions & { id?: string }) => {
      const id = deviceId(positional, options.id);
      if (id === null) return;
      await withAdmin(dataOption(options.data), 'trialgate devices show', async (ops) => {
        const device = await ops.showDevice(id);
        if (options.json === true) {
          printJson(device);
          return;
        }
        printDevices([device]);
        process.stdout.write('\nkeys:\n');
        if (device.keys.length === 0) process.stdout.write('  none (enrolled without a key: it cannot sign)\n');
        for (const key of device.keys) process.stdout.write(`  ${key.public_key}  from index ${key.since_index}${key.until_index === null ? ' (current)' : ` to ${key.until_index}`}\n`);
        process.stdout.write('changes:\n');
        for (const change of device.changes) {
          process.stdout.write(`  ${String(change.index).padStart(8)}  ${change.at}  ${change.op}${change.by === null ? '' : ` by ${change.by}`}${change.applied ? '' : ` (not applied: ${change.error ?? '?'})`}\n`);
        }
      });
    });

  const change = (name: string, description: string, build: (options: Record<string, unknown>) => DeviceChangeRequest | null, extra: (c: Command) => Command = (c) => c): void => {
    extra(
      devices
        .command(name)
        .description(description)
        .addOption(data())
        .argument('[id]', 'device id')
        .option('--id <id>', 'device id (instead of the argument)')
        .addOption(json()),
    ).action(async (positional: string | undefined, options: CommonOptions & { id?: string } & Record<string, unknown>) => {
      const id = deviceId(positional, options.id);
      const request = build(options);
      if (id === null || request === null) return;
      await withAdmin(dataOption(options.data), `trialgate devices ${name}`, async (ops: AdminOperations) => {
        const result = await ops.changeDevice(id, request, 'cli');
        if (options.json === true) printJson(result);
        else process.stdout.write(`${name}: ${result.device.id} is ${result.device.status} (log index ${result.index})\n`);
      });
    });
  };
  change('suspend', 'suspend a device: it can no longer connect or send until resumed', () => ({ op: 'suspend' }));
  change('resume', 'resume a suspended device', () => ({ op: 'resume' }));
  change('retire', 'retire a device for good (its id is never enrolled again)', () => ({ op: 'retire' }));
  change(
    'rotate-key',
    "replace a device's public key (earlier entries stay verifiable under the old key)",
    (options) => ({ op: 'rotate-key', public_key: String(options['publicKey']) }),
    (c) => c.requiredOption('--public-key <base64>', 'the new Ed25519 public key, base64 of 32 bytes'),
  );
  change(
    'assign',
    'assign a device to a pseudonymous subject id (or --unassign)',
    (options) => {
      const subject = options['subject'];
      if (options['unassign'] === true) return { op: 'assign', subject: null };
      if (typeof subject !== 'string') {
        fail('give --subject <id> or --unassign');
        return null;
      }
      return { op: 'assign', subject };
    },
    (c) => c.option('--subject <id>', 'pseudonymous subject id').option('--unassign', 'remove the assignment'),
  );
  change(
    'set-transports',
    'set the transports a device may use',
    (options) => {
      const transports = parseTransports(typeof options['transports'] === 'string' ? options['transports'] : '');
      return transports === null || transports === undefined ? null : { op: 'set-transports', transports };
    },
    (c) => c.requiredOption('--transports <list>', `comma-separated: ${DEVICE_TRANSPORTS.join(', ')}`),
  );
  change(
    'set-ble',
    'set how a BLE device is recognised when it advertises: its address and/or advertised name (or --clear)',
    (options) => {
      if (options['clear'] === true) return { op: 'set-ble', address: null, name: null };
      const address = typeof options['address'] === 'string' ? options['address'].toLowerCase() : null;
      const name = typeof options['name'] === 'string' ? options['name'] : null;
      if (address === null && name === null) {
        fail('give --address <aa:bb:cc:dd:ee:ff>, --name <advertised name>, or --clear');
        return null;
      }
      return { op: 'set-ble', address, name };
    },
    (c) => c.option('--address <address>', 'Bluetooth device address, aa:bb:cc:dd:ee:ff').option('--name <name>', 'advertised local name').option('--clear', 'forget the BLE identity'),
  );
}

function deviceId(positional: string | undefined, option: string | undefined): string | null {
  const id = positional ?? option;
  if (id === undefined) {
    fail('give the device id (argument or --id)');
    return null;
  }
  return id;
}

function parseTransports(text: string | undefined): DeviceTransport[] | undefined | null {
  if (text === undefined) return undefined;
  const list = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const unknown = list.filter((t) => !(DEVICE_TRANSPORTS as readonly string[]).includes(t));
  if (list.length === 0 || unknown.length > 0) {
    fail(`--transports takes a comma-separated list of ${DEVICE_TRANSPORTS.join(', ')}`);
    return null;
  }
  return list as DeviceTransport[];
}

function printDevices(list: readonly DeviceView[]): void {
  printTable(
    ['ID', 'KIND', 'STATUS', 'SUBJECT', 'TRANSPORTS', 'ENROLLED', 'PUBLIC KEY'],
    list.map((d) => [d.id, d.kind, d.status, d.subject ?? '-', d.transports.join(','), d.enrolled_at, d.public_key ?? '- (none)']),
  );
}
