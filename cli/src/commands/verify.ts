import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { text as readStream } from 'node:stream/consumers';
import type { Command, CommanderError } from 'commander';
import {
  createRpcAnchorVerifier,
  isProofFormatError,
  parseVerifierKey,
  unusableReport,
  verifyBundleText,
  type AnchorVerifier,
  type BundleVerificationReport,
} from '@trialgate/proof-formats';
import { formatVerificationReport } from './verify-output.js';
import { parseThreadsFlag, signatureThreads } from './verify-threads.js';

interface VerifyFlags {
  readonly rpc?: string;
  readonly confirmations?: string;
  readonly json?: boolean;
  readonly gatewayKey?: string;
  readonly threads?: string;
}

/** Spec section 8: 0 valid, 1 invalid, 2 unusable input (and usage errors), 3 inconclusive. */
const EXIT_UNUSABLE = 2;

class UsageError extends Error {}

/**
 * `trialgate verify BUNDLE.json [--rpc URL] [--confirmations N] [--gateway-key VKEY|@FILE] [--threads N] [--json]`:
 * checks a proof bundle (spec section 8) trusting nothing of the site: every checkpoint signature, consistency
 * and inclusion proof, device signature, per-device seq, and with --rpc every anchor on chain. Device
 * signatures of large bundles are checked on worker threads (verify-threads.ts); the report is the same.
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('verify a proof bundle: signatures, Merkle proofs, device signatures, seq order, and anchors with --rpc')
    .argument('<bundle>', 'the bundle file (JSON), or - for standard input')
    .option('--rpc <url>', 'an Ethereum JSON-RPC endpoint, to check each anchor on chain')
    .option('--confirmations <n>', 'with --rpc: confirmations that make a block final, for chains without the finalized tag')
    .option('--gateway-key <vkey>', "the gateway's verifier key as the site published it (trialgate keys show), pinned instead of trusting the bundle's; @FILE reads it from a file")
    .option('--threads <n>', 'worker threads for device signatures (default: one per core for bundles of 1 MiB or more; 0: none)')
    .option('--json', 'print the full report as JSON')
    .exitOverride((error: CommanderError) => {
      process.exit(error.exitCode === 0 ? 0 : EXIT_UNUSABLE);
    })
    .action(async (path: string, flags: VerifyFlags) => {
      let anchorVerifier: AnchorVerifier | undefined;
      let threads: number | undefined;
      let gatewayKey: string | undefined;
      try {
        anchorVerifier = makeAnchorVerifier(flags);
        if (flags.threads !== undefined) {
          threads = parseThreadsFlag(flags.threads);
          if (threads === undefined) throw new UsageError('--threads must be a whole number from 0 to 64');
        }
        gatewayKey = flags.gatewayKey === undefined ? undefined : await pinnedGatewayKey(flags.gatewayKey);
        if (gatewayKey !== undefined) parseVerifierKey(gatewayKey);
      } catch (error) {
        if (error instanceof UsageError || isProofFormatError(error)) {
          process.stderr.write(`trialgate verify: ${error.message}\n`);
          process.exitCode = EXIT_UNUSABLE;
          return;
        }
        throw error;
      }
      let report: BundleVerificationReport;
      let input: Uint8Array | string | undefined;
      try {
        input = path === '-' ? await readStream(process.stdin) : new Uint8Array(await readFile(path));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        report = unusableReport({ code: 'E_BUNDLE_READ', message: `cannot read ${path}: ${reason}` });
      }
      if (input !== undefined) {
        report = await verifyBundleText(input, {
          ...(anchorVerifier === undefined ? { anchorsNotCheckedReason: 'no --rpc given' } : { anchorVerifier }),
          ...(gatewayKey === undefined ? {} : { trustedGatewayKey: gatewayKey }),
          signatureWorkers: signatureThreads(threads, input.length, os.availableParallelism()),
        });
      }
      report ??= unusableReport({ code: 'E_BUNDLE_READ', message: `cannot read ${path}` });
      process.stdout.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerificationReport(report).join('\n')}\n`);
      process.exitCode = report.exitCode;
    });
}

/** The flag's key, or with `@FILE` the file's first line (as `trialgate keys show > FILE` wrote it). */
async function pinnedGatewayKey(flag: string): Promise<string> {
  if (!flag.startsWith('@')) return flag;
  const file = flag.slice(1);
  try {
    return (await readFile(file, 'utf8')).split('\n')[0]?.trim() ?? '';
  } catch (error) {
    throw new UsageError(`--gateway-key: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function makeAnchorVerifier(flags: VerifyFlags): AnchorVerifier | undefined {
  if (flags.confirmations !== undefined && flags.rpc === undefined) throw new UsageError('--confirmations needs --rpc');
  if (flags.rpc === undefined) return undefined;
  let confirmations: number | undefined;
  if (flags.confirmations !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(flags.confirmations)) throw new UsageError('--confirmations must be a positive integer');
    confirmations = Number(flags.confirmations);
  }
  return createRpcAnchorVerifier({ rpcUrl: flags.rpc, ...(confirmations === undefined ? {} : { confirmations }) });
}
