/**
 * A small fixed-bin latency histogram (0.1 ms bins up to 1 s) for server-side propagation delay: the time an update
 * spends in the collab plane, from the socket read to the frame that carries it out. Cheap enough to be always on.
 */
export class LatencyHistogram {
  private bins = new Uint32Array(10_000);
  count = 0;
  max = 0;
  private sum = 0;

  add(ms: number): void {
    const i = Math.min(this.bins.length - 1, Math.max(0, Math.floor(ms * 10)));
    this.bins[i]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(this.count * p);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= target) return (i + 1) / 10;
    }
    return this.max;
  }

  summary(): { count: number; p50: number; p99: number; max: number; mean: number } {
    return {
      count: this.count,
      p50: this.percentile(0.5),
      p99: this.percentile(0.99),
      max: Math.round(this.max * 100) / 100,
      mean: this.count ? Math.round((this.sum / this.count) * 100) / 100 : 0,
    };
  }

  reset(): void {
    this.bins = new Uint32Array(this.bins.length);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }
}
