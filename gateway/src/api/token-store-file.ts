/**
 * Opens only the state database of a data directory, for `trialgate tokens` (on a stopped or a running
 * gateway's directory: SQLite serializes writers, so a token created or revoked here is live at once).
 */
import fs from 'node:fs';
import { systemClock, type Clock } from '../clock.js';
import { dataDirectoryLayout } from '../storage/log-store.js';
import { openStateDatabase } from '../storage/state-database.js';
import { ApiTokenStore } from './api-tokens.js';

export function openTokenStore(dataDir: string, clock: Clock = systemClock): { readonly tokens: ApiTokenStore; close(): void } {
  const layout = dataDirectoryLayout(dataDir);
  fs.mkdirSync(layout.root, { recursive: true });
  const db = openStateDatabase({ file: layout.stateDatabase, readOnly: false });
  return { tokens: new ApiTokenStore(db, clock), close: () => db.close() };
}
