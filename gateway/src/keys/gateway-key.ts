/**
 * The gateway's Ed25519 checkpoint-signing key (spec section 5), kept in `DATA/gateway.key` as a signer key
 * string of golang.org/x/mod/sumdb/note (`PRIVATE+KEY+<origin>+<key id>+<base64(0x01 || seed)>`), mode 0600.
 * The key name is the log origin (C2SP tlog-checkpoint: the key name SHOULD be the origin), so the file also
 * says whose log the directory holds.
 *
 * Created on first start, atomically: written and fsync'd under a temporary name with mode 0600, then linked
 * into place (link fails if another process created it meanwhile: its key wins and is read back), then the
 * directory is fsync'd. Never logged: only the verifier key (public) leaves this module as text.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatSignerKey, parseSignerKey, type NoteSigner } from '@trialgate/proof-formats';
import { KeyError } from './key-error.js';

export const GATEWAY_KEY_FILE = 'gateway.key';

export type RandomBytes = (length: number) => Uint8Array;

export interface GatewayKey {
  readonly origin: string;
  /** Signs notes; `signer.verifierKey` is what sponsors pin. */
  readonly signer: NoteSigner;
  /** `<origin>+<key id>+<base64(0x01 || public key)>` (spec section 5). */
  readonly verifierKey: string;
  readonly publicKey: Uint8Array;
}

export interface LoadOrCreateGatewayKeyOptions {
  readonly dataDir: string;
  readonly origin: string;
  /** Randomness port (default node:crypto). */
  readonly randomBytes?: RandomBytes;
}

export function loadOrCreateGatewayKey(options: LoadOrCreateGatewayKeyOptions): GatewayKey & { readonly created: boolean } {
  const file = path.join(options.dataDir, GATEWAY_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const seed = (options.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n))))(32);
    const text = `${formatSignerKey(options.origin, seed)}\n`;
    seed.fill(0);
    const temporary = path.join(options.dataDir, `.gateway.key.${process.pid}.${Date.now()}.tmp`);
    const fd = fs.openSync(temporary, 'wx', 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    let created = true;
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      created = false;
    } finally {
      fs.rmSync(temporary, { force: true });
    }
    fsyncDirectory(options.dataDir);
    const key = loadGatewayKey(options.dataDir, options.origin);
    return { ...key, created };
  }
  return { ...loadGatewayKey(options.dataDir, options.origin), created: false };
}

/** Reads the key (read-only: `trialgate keys show`); with `origin`, checks it is that origin's key. */
export function loadGatewayKey(dataDir: string, origin?: string): GatewayKey {
  const file = path.join(dataDir, GATEWAY_KEY_FILE);
  let text: string;
  try {
    const stat = fs.statSync(file);
    if ((stat.mode & 0o077) !== 0) {
      throw new KeyError('E_KEY_INVALID', `${file} is readable by other users; it must be mode 0600`, {
        details: { file, mode: (stat.mode & 0o777).toString(8) },
      });
    }
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError('E_KEY_NOT_FOUND', `no gateway key in ${dataDir} (it is created when the gateway first starts)`, {
      details: { file },
      cause: error,
    });
  }
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text);
  } catch {
    // The cause is not kept: its message could quote the key material.
    throw new KeyError('E_KEY_INVALID', `${file} is not a gateway signing key`, { details: { file } });
  }
  if (origin !== undefined && signer.name !== origin) {
    throw new KeyError(
      'E_KEY_ORIGIN_MISMATCH',
      `${file} is the key of ${signer.name}, not of ${origin}: a data directory belongs to one log`,
      { details: { file, keyOrigin: signer.name, origin } },
    );
  }
  return { origin: signer.name, signer, verifierKey: signer.verifierKey, publicKey: signer.publicKey };
}

function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
