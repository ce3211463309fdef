/** Percentiles of PUBACK latency, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Collects every sample (8 bytes each: 10 million samples are 80 MB) and computes exact nearest-rank
 * percentiles at the end; a load run is bounded in time, so no histogram approximation is needed.
 */
export class LatencyRecorder {
  private samples = new Float64Array(1024);
  private size = 0;

  add(ms: number): void {
    if (this.size === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  summary(): LatencySummary {
    if (this.size === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    const sorted = this.samples.slice(0, this.size).sort();
    const rank = (p: number): number => sorted[Math.min(this.size - 1, Math.max(0, Math.ceil(p * this.size) - 1))] ?? 0;
    let sum = 0;
    for (const x of sorted) sum += x;
    return { count: this.size, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[this.size - 1] ?? 0, mean: sum / this.size };
  }
}
