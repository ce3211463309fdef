/**
 * Loads noble only when BLE is wanted. `require('@abandonware/noble')` builds the HCI socket bindings at once
 * and throws EAFNOSUPPORT on a machine without Bluetooth (CI, this gateway's build machine), so:
 *
 * - `createNobleWithBindings(bindings)` loads only noble's `Noble` class (lib/noble.js, which takes its
 *   bindings in its constructor) and never the HCI bindings: tests drive it with simulated bindings;
 * - `loadHciNoble()` loads the real thing when `--ble` is given, and turns a missing adapter into one typed
 *   error with one clear line (E_BLE_NO_ADAPTER), never a stack trace.
 */
import { createRequire } from 'node:module';
import { BleError } from './ble-error.js';
import type { NobleLike } from './noble-like.js';

const require = createRequire(import.meta.url);

/** A noble instance over the given bindings object (an EventEmitter with noble's bindings methods). */
export function createNobleWithBindings(bindings: object): NobleLike {
  const Noble = require('@abandonware/noble/lib/noble.js') as new (bindings: object) => NobleLike;
  return new Noble(bindings);
}

/** Codes the HCI socket bindings fail with when there is no usable adapter. */
const NO_ADAPTER_CODES = new Set(['EAFNOSUPPORT', 'ENODEV', 'EPERM', 'EACCES', 'EPROTONOSUPPORT', 'ENOENT', 'ERR_DLOPEN_FAILED', 'MODULE_NOT_FOUND']);

/** The process's noble over the HCI socket (Linux), or E_BLE_NO_ADAPTER. */
export function loadHciNoble(load: (id: string) => unknown = require): NobleLike {
  try {
    return load('@abandonware/noble') as NobleLike;
  } catch (cause) {
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new BleError(
      'E_BLE_NO_ADAPTER',
      NO_ADAPTER_CODES.has(code)
        ? `no Bluetooth adapter: the HCI socket cannot be opened (${code}); run without --ble, or on a machine with an adapter (and CAP_NET_RAW)`
        : `BLE could not be started: ${detail}`,
      { cause, details: { errno: code } },
    );
  }
}
