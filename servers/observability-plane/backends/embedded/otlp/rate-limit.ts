/** A token bucket: `rate` requests per second, bursts up to `rate` (at least 1). */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly capacity: number;

  constructor(private readonly rate: number) {
    if (!(rate > 0)) throw new RangeError('maxRequestsPerSecond must be > 0');
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
  }

  /** 0 when a request may go ahead, else how long (ms) until one may. */
  take(): number {
    if (this.rate === Infinity) return 0;
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) / this.rate) * 1000;
  }
}
