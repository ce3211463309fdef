/**
 * Ed25519 verification: node:crypto (OpenSSL) with a cached KeyObject, node:crypto rebuilding the KeyObject per
 * call, and @noble/ed25519 (pure JS). Decides `DEFAULT_ED25519_IMPLEMENTATION` in firmware-protocol (issue 2):
 * the gateway verifies every device message and `trialgate verify` every logged one. Also measures signing
 * (the simulator signs) and a whole device message check (strict decode + COSE verify).
 *
 * Run: `npx tsc -b && node bench/dist/suites/ed25519-verify.js [--quick]`.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  coseSigStructure,
  createEd25519Signer,
  createEd25519Verifier,
  decodeCoseSign1,
  ed25519PublicKey,
  ed25519Sign,
  encodeCbor,
  signCoseSign1,
  verifyCoseSign1,
} from '@trialgate/firmware-protocol';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'ed25519-verify';

function opsPerSecond(iterations: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(200, iterations); i += 1) body(i); // warm up the JIT and any caches
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) body(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(iterations / seconds);
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const iterations = options.quick ? 2_000 : 20_000;
  const nobleIterations = options.quick ? 300 : 3_000;
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const publicKey = ed25519PublicKey(seed);
  // A typical device message: a heart-rate payload of about 70 bytes inside its Sig_structure.
  const payload = encodeCbor({ v: 1, dev: 'hr-0001', seq: 1, t: 1_767_225_600_000, type: 'heart_rate', data: { bpm: 72 } });
  const message = coseSigStructure(Uint8Array.from([0xa1, 0x01, 0x27]), payload);
  const signature = ed25519Sign(message, seed);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey)]);

  const node = createEd25519Verifier(publicKey, { implementation: 'node' });
  const noble = createEd25519Verifier(publicKey, { implementation: 'noble' });
  const signer = createEd25519Signer(seed);
  const cose = signCoseSign1({ kid: 'hr-0001', payload, secretKey: signer });
  let ok = true;
  const params = { messageBytes: message.length };
  const rows: Measurement[] = [
    {
      suite: SUITE,
      name: 'node:crypto verify (cached KeyObject)',
      value: opsPerSecond(iterations, () => {
        ok &&= node.verify(message, signature);
      }),
      unit: 'ops/s',
      params,
    },
    {
      suite: SUITE,
      name: 'node:crypto verify (KeyObject rebuilt per call)',
      value: opsPerSecond(iterations, () => {
        const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
        ok &&= nodeVerify(null, message, key, signature);
      }),
      unit: 'ops/s',
      params,
    },
    {
      suite: SUITE,
      name: '@noble/ed25519 verify (sync, strict)',
      value: opsPerSecond(nobleIterations, () => {
        ok &&= noble.verify(message, signature);
      }),
      unit: 'ops/s',
      params,
    },
    {
      suite: SUITE,
      name: 'node:crypto sign (cached KeyObject)',
      value: opsPerSecond(iterations, () => {
        signer.sign(message);
      }),
      unit: 'ops/s',
      params,
    },
    {
      suite: SUITE,
      name: '@noble/ed25519 sign',
      value: opsPerSecond(nobleIterations, () => {
        ed25519Sign(message, seed);
      }),
      unit: 'ops/s',
      params,
    },
    {
      suite: SUITE,
      name: 'device message: decodeCoseSign1 + verifyCoseSign1 (node)',
      value: opsPerSecond(iterations, () => {
        ok &&= verifyCoseSign1(decodeCoseSign1(cose), node);
      }),
      unit: 'ops/s',
      params: { messageBytes: cose.length },
    },
  ];
  if (!ok) throw new Error('a verification failed during the benchmark');
  return Promise.resolve(rows);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick });
  console.log(JSON.stringify(describeMachine()));
  console.log('| measurement | value | unit |\n|---|---:|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.value.toLocaleString('en-US')} | ${row.unit} |`);
}
