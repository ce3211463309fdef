/** Test helper: a log store with signed checkpoints at the given sizes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signCheckpoint } from '@trialgate/proof-formats';
import { loadOrCreateGatewayKey } from '../../keys/gateway-key.js';
import { sampleEntry } from '../../storage/gateway-log-contract.js';
import { openLogStore, type LogStore } from '../../storage/log-store.js';

export const TEST_ORIGIN = 'trial.example/site-3/gw';
const cleanups: (() => Promise<void> | void)[] = [];

/** Call in afterEach. */
export async function cleanUpStores(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export async function storeWithCheckpoints(sizes: readonly number[], origin = TEST_ORIGIN): Promise<LogStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-anchor-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = openLogStore({ dataDir, origin });
  cleanups.push(() => store.close());
  const key = loadOrCreateGatewayKey({ dataDir, origin });
  for (const size of sizes) {
    while (store.log.size() < size) await store.log.append(sampleEntry());
    const rootHash = store.tree.root(size);
    const note = signCheckpoint({ origin, treeSize: size, rootHash }, [key.signer]);
    await store.checkpoints.append({ treeSize: size, rootHash, note, signedAtMs: 1000 * size }, 1000 * size);
  }
  return store;
}
