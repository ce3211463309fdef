import type { Command, CommanderError } from 'commander';
import { HexInputError, parseHexInput } from './inspect-hex.js';
import { inspect, type InspectInput } from './inspect-report.js';

interface InspectFlags {
  readonly cose?: string;
  readonly gatt?: string;
  readonly frame?: string;
  readonly json?: boolean;
  readonly publicKey?: string;
}

const EXIT_OK = 0;
const EXIT_PROBLEM = 1;
const EXIT_USAGE = 2;

/**
 * `trialgate inspect --cose HEX | --gatt UUID HEX | --frame HEX [--json] [--public-key BASE64]`: decodes what a
 * device sent and says what is wrong with it, for device makers debugging firmware (docs/firmware-protocol.md).
 * Exit 0: decodes cleanly (no error, signature valid if checked, no flag); 1: a problem or a flag; 2: usage.
 */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('decode a device message, BLE characteristic value or serial frame and explain what is wrong with it')
    .option('--cose <hex>', 'a COSE_Sign1 device message or connect token, in hex')
    .option('--gatt <uuid>', 'a BLE characteristic UUID (2a37, 2a35, 2a1c, 2a18, 2a5e, 2a5f, 2a9d, 2a2b); the value follows as HEX')
    .option('--frame <hex>', 'serial bytes in hex: one or more COBS frames, each ending with 00')
    .option('--public-key <base64>', "the device's Ed25519 public key (32 bytes, base64), to check the signature")
    .option('--json', 'print the decoded value and the problems as JSON (bytes as hex)')
    .argument('[hex]', 'the characteristic value in hex, with --gatt')
    .exitOverride((error: CommanderError) => {
      // Commander's own usage errors exit 1 by default; ours is 2, as for every usage error of this command.
      process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
    })
    .action(async (hex: string | undefined, flags: InspectFlags) => {
      let input: InspectInput;
      let publicKey: Uint8Array | undefined;
      try {
        input = parseInput(hex, flags);
        publicKey = flags.publicKey === undefined ? undefined : parsePublicKey(flags.publicKey);
      } catch (error) {
        if (error instanceof HexInputError) {
          process.stderr.write(`trialgate inspect: ${error.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw error;
      }
      const report = await inspect(input, publicKey === undefined ? {} : { publicKey });
      process.stdout.write(flags.json === true ? `${JSON.stringify(report.json, null, 2)}\n` : `${report.lines.join('\n')}\n`);
      process.exitCode = report.ok ? EXIT_OK : EXIT_PROBLEM;
    });
}

function parseInput(hex: string | undefined, flags: InspectFlags): InspectInput {
  const chosen = [flags.cose, flags.gatt, flags.frame].filter((value) => value !== undefined).length;
  if (chosen !== 1) throw new HexInputError('give exactly one of --cose HEX, --gatt UUID HEX, --frame HEX');
  if (flags.gatt !== undefined) {
    if (hex === undefined) throw new HexInputError('--gatt needs the UUID and then the value: --gatt 2a37 0048');
    return { kind: 'gatt', uuid: flags.gatt, bytes: parseHexInput(hex, 'the characteristic value') };
  }
  if (hex !== undefined) throw new HexInputError(`unexpected argument ${JSON.stringify(hex.slice(0, 20))} (only --gatt takes a second value)`);
  if (flags.cose !== undefined) return { kind: 'cose', bytes: parseHexInput(flags.cose, '--cose') };
  return { kind: 'frame', bytes: parseHexInput(flags.frame ?? '', '--frame') };
}

function parsePublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new HexInputError('--public-key must be base64');
  const key = Uint8Array.from(Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64'));
  if (key.length !== 32) throw new HexInputError(`--public-key must be 32 bytes (an Ed25519 public key), got ${key.length}`);
  return key;
}
