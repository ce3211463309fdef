/**
 * `--gateway-key @FILE` (also in TRIALGATE_GATEWAY_KEY and the config file's `gatewayKeys`): a list item that
 * starts with `@` names a file holding verifier keys, as `trialgate keys show > FILE` writes them (the same form
 * `trialgate sim --gateway-key` takes). A deployment can then pin the key a one-shot step published, without a
 * shell to read the file into a variable. The keys themselves are checked afterwards like any given inline.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AnchorError } from '../errors/anchor-error.js';

/** Verifier-key files are a line or a few; anything larger is not one (a wrong path). */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * The list with every `@path` item replaced by the keys its file holds (whitespace- or comma-separated);
 * relative paths are taken from `baseDir`. `where` names the setting in errors.
 */
export function expandVerifierKeyFiles(list: string, baseDir: string, where: string): string {
  const items = list.split(/[\s,]+/).filter((item) => item !== '');
  return items
    .map((item) => {
      if (!item.startsWith('@')) return item;
      if (item.length === 1) throw configError(`${where}: "@" must be followed by the file that holds the gateway's verifier key`);
      const file = path.resolve(baseDir, item.slice(1));
      let text: string;
      try {
        const bytes = readFileSync(file);
        if (bytes.length > MAX_KEY_FILE_BYTES) throw new RangeError('too large');
        text = bytes.toString('utf8');
      } catch (cause) {
        throw configError(`${where}: cannot read the gateway key file ${file} (${cause instanceof Error ? cause.message : String(cause)})`, cause);
      }
      const keys = text.split(/[\s,]+/).filter((key) => key !== '');
      if (keys.length === 0) throw configError(`${where}: the gateway key file ${file} is empty`);
      return keys.join(',');
    })
    .join(',');
}

function configError(message: string, cause?: unknown): AnchorError {
  return new AnchorError('E_ANCHORING_CONFIG', message, cause === undefined ? {} : { cause });
}
