/**
 * A simulated fleet enrolled at a gateway's data directory the way a site does it (`trialgate devices import`
 * of the simulator's import file), before the gateway's first start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFleet, formatRegistryImport, type Fleet } from '@trialgate/device-sim';
import { pino, type Logger } from 'pino';
import { runCli } from '../../e2e/cli-processes.js';

export async function enrolledFleet(dataDir: string, options: { readonly size: number; readonly seed: number; readonly idPrefix: string }): Promise<Fleet> {
  mkdirSync(dataDir, { recursive: true });
  const fleet = createFleet({ size: options.size, seed: options.seed, idPrefix: options.idPrefix });
  const file = path.join(path.dirname(dataDir), `${path.basename(dataDir)}-devices.jsonl`);
  writeFileSync(file, formatRegistryImport(fleet));
  const imported = await runCli(['devices', 'import', '--data', dataDir, file]);
  if (imported.code !== 0) throw new Error(`devices import failed (${imported.code}): ${imported.stderr}`);
  return fleet;
}

/** The simulator's logger for a scenario: errors only, on stderr. */
export function quietSimLogger(): Logger {
  return pino({ level: 'error' }, pino.destination(2));
}
