/**
 * Keeps one device's messages in arrival order on their way into the log while different devices' messages
 * overtake each other. Signatures are checked concurrently on several worker threads, so a device's second
 * message could otherwise be verified, and appended, before its first: the log would hold that device's
 * seqs out of order for no reason, and a verifier reads per-device seq order (spec section 8).
 */
export interface SequencerTicket {
  /** Resolves once every earlier ticket of the same key has been released. */
  readonly ready: Promise<void>;
  /** Lets the next ticket of the key go; call exactly once, on every path. */
  release(): void;
}

export class KeyedSequencer {
  private readonly tails = new Map<string, Promise<void>>();

  /** Takes the next place in `key`'s line; call in arrival order. */
  enter(key: string): SequencerTicket {
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.tails.set(key, mine);
    void mine.then(() => {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    });
    return { ready: previous ?? Promise.resolve(), release };
  }

  /** Keys with a message in flight (for tests: the map must not grow with the fleet). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
