/**
 * Keeps one device's messages in arrival order on their way into the log while different devices' messages
 * overtake each other. Signatures are checked concurrently on several worker threads, so a device's second
 * message could otherwise be verified, and appended, before its first: the log would hold that device's
 * seqs out of order for no reason, and a verifier reads per-device seq order (spec section 8).
 *
 * A key's tickets form a line (a linked list; the map holds its last ticket). A ticket is ready once every
 * earlier ticket of its key has been released, whatever order they are released in (one released early, on
 * an error path, is skipped when the line reaches it). Per message this costs one small object; a promise
 * only when a ticket actually has to wait (`ready` is read while earlier tickets are out), so a device with
 * one message in flight at a time, the usual case, never allocates one.
 */
export interface SequencerTicket {
  /** True once every earlier ticket of the same key has been released. */
  readonly isReady: boolean;
  /** Resolves once every earlier ticket of the same key has been released. */
  readonly ready: Promise<void>;
  /** Lets the next ticket of the key go; call exactly once, on every path (more calls do nothing). */
  release(): void;
}

const READY: Promise<void> = Promise.resolve();

class Ticket implements SequencerTicket {
  /** Every earlier ticket of the key is released. */
  head: boolean;
  released = false;
  next: Ticket | null = null;
  private waiting: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly line: KeyedSequencer,
    readonly key: string,
    head: boolean,
  ) {
    this.head = head;
  }

  get isReady(): boolean {
    return this.head;
  }

  get ready(): Promise<void> {
    if (this.head) return READY;
    this.waiting ??= new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    return this.waiting;
  }

  /** Called by the line when the tickets before this one are all released. */
  promote(): void {
    this.head = true;
    this.wake?.();
    this.wake = null;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.head) this.line.advance(this);
  }
}

export class KeyedSequencer {
  /** The last ticket of each key with a ticket out. */
  private readonly tails = new Map<string, Ticket>();

  /** Takes the next place in `key`'s line; call in arrival order. */
  enter(key: string): SequencerTicket {
    const tail = this.tails.get(key);
    const ticket = new Ticket(this, key, tail === undefined);
    if (tail !== undefined) tail.next = ticket;
    this.tails.set(key, ticket);
    return ticket;
  }

  /** Keys with a message in flight (for tests: the map must not grow with the fleet). */
  get activeKeys(): number {
    return this.tails.size;
  }

  /** `released` was the head of its line: move the head past every released ticket. */
  advance(released: Ticket): void {
    let ticket = released;
    while (ticket.released) {
      const next = ticket.next;
      ticket.next = null;
      if (next === null) {
        if (this.tails.get(ticket.key) === ticket) this.tails.delete(ticket.key);
        return;
      }
      ticket = next;
    }
    ticket.promote();
  }
}
