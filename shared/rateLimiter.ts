interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Token buckets by key (a device id, a client address), per process: `burst` at once, refilled at
 * `perMinute`. The platform's own concurrency limits apply on top; each instance has its own buckets.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxBuckets = 10_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token; when the bucket is empty, says how many seconds until the next one. */
  take(key: string): RateVerdict {
    const bucket = this.refilled(key);
    if (bucket.tokens < 1) return this.refusal(bucket);
    bucket.tokens -= 1;
    return { allowed: true };
  }

  /**
   * Gives back a token taken for work that turned out not to cost what the budget is for. Taking
   * first and refunding after (never peeking, then taking once the work is done) is what keeps N
   * concurrent requests from all passing a bucket that holds fewer than N tokens.
   */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    // Re-insert so the Map's order is least-recently-used first, then bound its size.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket;
  }

  private refusal(bucket: Bucket): RateVerdict {
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)),
    };
  }
}
