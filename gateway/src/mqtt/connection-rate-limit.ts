/**
 * Sheds MQTT connection floods before they cost anything (issue 7, "Overload"). Two limits, both checked when
 * a socket is accepted, before a byte of it is read:
 *
 * - per remote address, a token bucket of `ratePerSecond` new connections per second holding up to 10 s worth
 *   (a site restart reconnects a whole fleet behind one NAT at once; a flood from one host is cut to the rate);
 * - all addresses together, at most `maxConnecting` connections that have not yet been authenticated (a
 *   CONNECT that never comes holds a socket for aedes' 10 s connect timeout: this bounds their memory).
 *
 * A connection over a limit is closed at once: it sent nothing yet, so nothing of a device is lost, and it is
 * counted (`trialgate_mqtt_connections_shed_total{reason}`) and summarised in a log line, not recorded one by
 * one in quarantine (it carried no claim of being anyone; refused CONNECTs still are, authenticate.ts).
 *
 * Time is a monotonic clock passed in, never the wall clock: a gateway clock jump must not open or close the
 * buckets. Memory is bounded: an address whose bucket is full again is forgotten, and at most
 * `maxTrackedAddresses` are kept (the oldest go first; an attacker cycling addresses then gets at most a fresh
 * burst per address, which `maxConnecting` still bounds).
 */

export interface ConnectionRateLimitOptions {
  /** New connections per second from one remote address (0: no limit). */
  readonly ratePerSecond: number;
  /** Connections not yet authenticated, all addresses together (0: no limit). */
  readonly maxConnecting: number;
  /** Seconds' worth of connections one address may open at once (default 10). */
  readonly burstSeconds?: number;
  /** Addresses remembered at most (default 10,000). */
  readonly maxTrackedAddresses?: number;
  /** Milliseconds from a monotonic clock (default `performance.now`). */
  readonly now?: () => number;
}

/** Why a connection was shed. */
export type ConnectionShedReason = 'rate' | 'connecting';

/** A connection let in: call `settle()` once it is authenticated or gone (idempotent). */
export interface AdmittedConnection {
  settle(): void;
}

export type ConnectionAdmission =
  | { readonly admitted: true; readonly connection: AdmittedConnection }
  | { readonly admitted: false; readonly reason: ConnectionShedReason };

interface Bucket {
  tokens: number;
  at: number;
}

const DEFAULT_BURST_SECONDS = 10;
const DEFAULT_MAX_TRACKED_ADDRESSES = 10_000;

export class ConnectionRateLimit {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #maxConnecting: number;
  readonly #maxTracked: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #connecting = 0;

  constructor(options: ConnectionRateLimitOptions) {
    this.#rate = Math.max(0, options.ratePerSecond);
    this.#capacity = Math.max(1, this.#rate * (options.burstSeconds ?? DEFAULT_BURST_SECONDS));
    this.#maxConnecting = Math.max(0, options.maxConnecting);
    this.#maxTracked = Math.max(1, options.maxTrackedAddresses ?? DEFAULT_MAX_TRACKED_ADDRESSES);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Connections admitted and not yet settled. */
  get connecting(): number {
    return this.#connecting;
  }

  /** Addresses whose bucket is not full (for tests and the memory bound). */
  get trackedAddresses(): number {
    return this.#buckets.size;
  }

  /**
   * Decides on a socket just accepted from `remoteAddress` (null when unknown: only the global bound applies).
   * Attacker-controlled: the address is whatever the peer connects from; it is only a map key here.
   */
  admit(remoteAddress: string | null): ConnectionAdmission {
    if (this.#maxConnecting > 0 && this.#connecting >= this.#maxConnecting) return { admitted: false, reason: 'connecting' };
    if (this.#rate > 0 && remoteAddress !== null && !this.#take(remoteAddress)) return { admitted: false, reason: 'rate' };
    this.#connecting += 1;
    let settled = false;
    return {
      admitted: true,
      connection: {
        settle: () => {
          if (settled) return;
          settled = true;
          this.#connecting -= 1;
        },
      },
    };
  }

  #take(address: string): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      this.#sweep(now);
      bucket = { tokens: this.#capacity, at: now };
      this.#buckets.set(address, bucket);
    } else {
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Forgets addresses whose bucket has refilled and, beyond the bound, the oldest ones, down to 90 % of it,
   * so that the O(n) sweep runs once per many new addresses, not once per connection.
   */
  #sweep(now: number): void {
    if (this.#buckets.size < this.#maxTracked) return;
    for (const [address, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.#rate >= this.#capacity) this.#buckets.delete(address);
    }
    const keep = Math.floor(this.#maxTracked * 0.9);
    for (const address of this.#buckets.keys()) {
      if (this.#buckets.size <= keep) break;
      this.#buckets.delete(address);
    }
  }
}
