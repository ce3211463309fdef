/**
 * One suite in a process of its own (the runner's child): `node --expose-gc suite-child.js <module> [--quick]`.
 * Imports the suite module, runs it and sends its measurements to the runner over IPC. A process per suite
 * keeps each suite's memory and timing figures free of what the others left behind, and a suite that crashes
 * or hangs from taking the others with it.
 */
import { pathToFileURL } from 'node:url';
import type { Measurement, Suite } from './measurement.js';

export type SuiteChildMessage =
  | { readonly type: 'measurements'; readonly measurements: readonly Measurement[] }
  | { readonly type: 'error'; readonly message: string };

function send(message: SuiteChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

const modulePath = process.argv[2];
if (modulePath === undefined) {
  process.stderr.write('usage: suite-child.js <suite module> [--quick]\n');
  process.exit(2);
}
try {
  const suite = (await import(pathToFileURL(modulePath).href)) as { readonly run?: Suite };
  if (typeof suite.run !== 'function') throw new Error(`${modulePath} does not export run: Suite`);
  const measurements = await suite.run({ quick: process.argv.includes('--quick') });
  await send({ type: 'measurements', measurements });
  process.exit(0);
} catch (error) {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
