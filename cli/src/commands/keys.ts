/**
 * `trialgate keys show --data DIR`: the gateway's verifier key (spec section 5), which sponsors pin to check
 * checkpoints and bundles (`trialgate verify --gateway-key`). Read-only: works on a running gateway's
 * directory. The private key never leaves the key file.
 */
import { Option, type Command } from 'commander';
import { dataOption, fail, printJson, report } from './devices-session.js';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("the gateway's checkpoint-signing key");
  keys
    .command('show')
    .description('print the verifier key sponsors pin (<origin>+<key id>+<base64 key>)')
    .addOption(new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)'))
    .option('--json', 'print JSON: origin, verifier key, key id')
    .action(async (options: { data?: string; json?: boolean }) => {
      const dataDir = dataOption(options.data);
      if (dataDir === undefined || dataDir === '') {
        fail('the data directory is required: --data DIR (or TRIALGATE_DATA)');
        return;
      }
      try {
        const { loadGatewayKey } = await import('@trialgate/gateway');
        const key = loadGatewayKey(dataDir);
        if (options.json === true) {
          printJson({ origin: key.origin, verifier_key: key.verifierKey, key_id: key.signer.keyId.toString(16).padStart(8, '0') });
        } else {
          process.stdout.write(`${key.verifierKey}\n`);
        }
      } catch (error) {
        report(error);
      }
    });
}
