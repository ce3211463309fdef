/**
 * Reads the anchoring key: a file holding the 0x-prefixed hex private key as anvil prints it, or the same
 * text in an environment variable. The key never reaches a log line, an error message, a job or a result:
 * errors say where the key was looked for and what is wrong with its shape, never what it holds.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AnchorError } from '../errors/anchor-error.js';
import { createPrivateKeySigner, type AnchorSigner } from '../chain/anchor-transaction.js';
import type { Hex } from '../chain/anchor-chain.js';

export type AnchorKeySource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'env'; readonly name: string };

const KEY_PATTERN = /^0x[0-9a-fA-F]{64}$/;
/** secp256k1 group order: a key must be in [1, n-1]. */
const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface LoadedAnchorKey {
  readonly signer: AnchorSigner;
  /** Set when the key file can be read by group or others (mode & 0o077): worth a warning. */
  readonly looseFileMode?: string;
}

export function loadAnchorKey(source: AnchorKeySource, env: NodeJS.ProcessEnv = process.env): LoadedAnchorKey {
  const where = source.kind === 'file' ? `key file ${path.resolve(source.path)}` : `environment variable ${source.name}`;
  let text: string;
  let looseFileMode: string | undefined;
  if (source.kind === 'file') {
    const absolute = path.resolve(source.path);
    try {
      text = readFileSync(absolute, 'utf8');
      const mode = statSync(absolute).mode & 0o777;
      if ((mode & 0o077) !== 0) looseFileMode = mode.toString(8).padStart(4, '0');
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      throw new AnchorError('E_ANCHORING_KEY', `cannot read the anchoring ${where}${typeof code === 'string' ? ` (${code})` : ''}`, {
        details: { where },
      });
    }
  } else {
    const value = env[source.name];
    if (value === undefined || value === '') {
      throw new AnchorError('E_ANCHORING_KEY', `the anchoring key is not set: ${where} is empty`, { details: { where } });
    }
    text = value;
  }
  const candidate = text.trim();
  if (!KEY_PATTERN.test(candidate)) {
    throw new AnchorError(
      'E_ANCHORING_KEY',
      `the anchoring ${where} must hold one 0x-prefixed hex private key (0x and 64 hex digits), as anvil prints them`,
      { details: { where } },
    );
  }
  const scalar = BigInt(candidate);
  if (scalar === 0n || scalar >= SECP256K1_ORDER) {
    throw new AnchorError('E_ANCHORING_KEY', `the anchoring ${where} does not hold a valid secp256k1 private key`, {
      details: { where },
    });
  }
  const signer = createPrivateKeySigner(candidate.toLowerCase() as Hex);
  return looseFileMode === undefined ? { signer } : { signer, looseFileMode };
}
