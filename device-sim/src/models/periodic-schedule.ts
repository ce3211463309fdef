/**
 * A set of named streams, each due at its own next time; `drain` returns them in time order up to a bound.
 * Models use it to interleave their cadences (heart rate each minute, temperature each quarter hour, ...).
 */
export class PeriodicSchedule<Name extends string> {
  private readonly next = new Map<Name, number>();

  set(name: Name, atMs: number): void {
    this.next.set(name, atMs);
  }

  delete(name: Name): void {
    this.next.delete(name);
  }

  /** The earliest due stream at or before `toMs`, or undefined. Ties go to the stream registered first. */
  earliestDue(toMs: number): { name: Name; atMs: number } | undefined {
    let best: { name: Name; atMs: number } | undefined;
    for (const [name, atMs] of this.next) {
      if (atMs <= toMs && (best === undefined || atMs < best.atMs)) best = { name, atMs };
    }
    return best;
  }
}
