/**
 * Reassembles message-service fragments (ble-fragment.ts) of one connection and one direction.
 *
 * Attacker-controlled: any peripheral the gateway connects to sends these bytes. Memory is bounded (one
 * message of at most `maxMessageBytes` at a time); a message that is not completed within `timeoutMs` of its
 * first fragment, or that a disconnect cuts short, is handed back as abandoned (the caller quarantines what
 * arrived), never as a message. A fragment that does not continue the message (wrong number, a middle
 * without a first, a first inside a message, a length exceeded or not reached) abandons what was collected
 * and is itself reported.
 */
import { BleError } from './ble-error.js';
import { FRAGMENT_FIRST, FRAGMENT_LAST, FRAGMENT_MIDDLE, FRAGMENT_ONLY } from './ble-fragment.js';

export type ReassemblyResult =
  | { readonly kind: 'message'; readonly bytes: Uint8Array }
  | { readonly kind: 'pending' }
  /** Refused: `partial` holds what arrived of the message (or the fragment itself), for quarantine. */
  | { readonly kind: 'refused'; readonly error: BleError; readonly partial: Uint8Array };

interface Assembly {
  readonly buffer: Uint8Array;
  filled: number;
  nextNumber: number;
  readonly startedAtMs: number;
}

export class MessageReassembler {
  private assembly: Assembly | null = null;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly timeoutMs: number,
  ) {}

  /** True while a message is half received. */
  get busy(): boolean {
    return this.assembly !== null;
  }

  /**
   * Takes one fragment. Usually one result; two when a first fragment arrives while another message is
   * still open (the open one is abandoned, then the new one is taken).
   */
  push(fragment: Uint8Array, nowMs: number): ReassemblyResult[] {
    if (fragment.length < 1) return [this.refuse(fragment, 'an empty fragment')];
    const kind = (fragment[0] as number) >> 6;
    if (kind === FRAGMENT_FIRST || kind === FRAGMENT_ONLY) {
      const abandoned = this.assembly === null ? [] : [this.abandon('E_BLE_FRAGMENT', 'a new message began before the previous one ended')];
      return [...abandoned, this.begin(fragment, kind, nowMs)];
    }
    return [this.continueWith(fragment, kind, nowMs)];
  }

  private begin(fragment: Uint8Array, kind: number, nowMs: number): ReassemblyResult {
    if (fragment.length < 3) return this.refuse(fragment, 'a first fragment without its 2-byte length');
    if (((fragment[0] as number) & 0x3f) !== 0) return this.refuse(fragment, 'a first fragment whose number is not 0');
    const length = (fragment[1] as number) | ((fragment[2] as number) << 8);
    if (length === 0 || length > this.maxMessageBytes) {
      return { kind: 'refused', error: new BleError('E_BLE_MESSAGE_TOO_LARGE', `a message of ${length} bytes (at most ${this.maxMessageBytes})`, { details: { length } }), partial: fragment.slice() };
    }
    const body = fragment.subarray(3);
    if (kind === FRAGMENT_ONLY) {
      return body.length === length ? { kind: 'message', bytes: body.slice() } : this.refuse(fragment, `an only fragment of ${body.length} bytes announcing ${length}`);
    }
    if (body.length >= length) return this.refuse(fragment, 'a first fragment that already holds the whole message');
    const assembly: Assembly = { buffer: new Uint8Array(length), filled: body.length, nextNumber: 1, startedAtMs: nowMs };
    assembly.buffer.set(body);
    this.assembly = assembly;
    return { kind: 'pending' };
  }

  private continueWith(fragment: Uint8Array, kind: number, nowMs: number): ReassemblyResult {
    const assembly = this.assembly;
    const number = (fragment[0] as number) & 0x3f;
    if (assembly === null) return this.refuse(fragment, 'a continuation without a first fragment');
    if (nowMs - assembly.startedAtMs > this.timeoutMs) return this.abandon('E_BLE_REASSEMBLY_TIMEOUT', `the message was not complete within ${this.timeoutMs} ms`, fragment);
    if (number !== (assembly.nextNumber & 0x3f)) return this.abandon('E_BLE_FRAGMENT', `fragment ${number} where ${assembly.nextNumber & 0x3f} was expected (one was lost)`, fragment);
    const body = fragment.subarray(1);
    if (assembly.filled + body.length > assembly.buffer.length) return this.abandon('E_BLE_FRAGMENT', 'fragments longer than the announced length', fragment);
    assembly.buffer.set(body, assembly.filled);
    assembly.filled += body.length;
    assembly.nextNumber += 1;
    if (kind === FRAGMENT_MIDDLE) {
      if (assembly.filled === assembly.buffer.length) return this.abandon('E_BLE_FRAGMENT', 'the announced length is reached but the fragment is not the last');
      return { kind: 'pending' };
    }
    if (kind !== FRAGMENT_LAST || assembly.filled !== assembly.buffer.length) {
      return this.abandon('E_BLE_FRAGMENT', `the last fragment ends at ${assembly.filled} of ${assembly.buffer.length} bytes`);
    }
    this.assembly = null;
    return { kind: 'message', bytes: assembly.buffer };
  }

  /** A message whose reassembly time ran out (checked by the caller's timer), or null. */
  expire(nowMs: number): ReassemblyResult | null {
    if (this.assembly === null || nowMs - this.assembly.startedAtMs <= this.timeoutMs) return null;
    return this.abandon('E_BLE_REASSEMBLY_TIMEOUT', `the message was not complete within ${this.timeoutMs} ms`);
  }

  /** The connection ended: what was collected, if anything, as E_BLE_INCOMPLETE. */
  disconnected(): ReassemblyResult | null {
    if (this.assembly === null) return null;
    return this.abandon('E_BLE_INCOMPLETE', 'the connection ended in the middle of a message');
  }

  private abandon(code: 'E_BLE_FRAGMENT' | 'E_BLE_REASSEMBLY_TIMEOUT' | 'E_BLE_INCOMPLETE', why: string, fragment?: Uint8Array): ReassemblyResult {
    const assembly = this.assembly;
    this.assembly = null;
    const partial = assembly === null ? new Uint8Array(0) : assembly.buffer.slice(0, assembly.filled);
    const withFragment = fragment === undefined ? partial : concat(partial, fragment);
    return {
      kind: 'refused',
      error: new BleError(code, why, { details: { received: partial.length, expected: assembly?.buffer.length ?? null } }),
      partial: withFragment,
    };
  }

  private refuse(fragment: Uint8Array, why: string): ReassemblyResult {
    return { kind: 'refused', error: new BleError('E_BLE_FRAGMENT', why, { details: { length: fragment.length } }), partial: fragment.slice() };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
