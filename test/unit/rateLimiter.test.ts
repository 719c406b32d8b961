import { TokenBucketLimiter } from '../../shared/rateLimiter';

describe('TokenBucketLimiter', () => {
  let ms = 0;
  const clock = () => ms;
  beforeEach(() => (ms = 1_000_000));

  test('a burst at once, then one token per 60000/perMinute ms, with an honest Retry-After', () => {
    const limiter = new TokenBucketLimiter(60, 3, clock);
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    ms += 999;
    expect(limiter.take('a').allowed).toBe(false);
    ms += 1;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  test('Retry-After rounds the wait up to whole seconds, at least 1', () => {
    const limiter = new TokenBucketLimiter(6, 1, clock);
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    ms += 9_001;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  test('a bucket refills to the burst and no further', () => {
    const limiter = new TokenBucketLimiter(60, 2, clock);
    limiter.take('a');
    ms += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false]);
  });

  test('keys have their own buckets', () => {
    const limiter = new TokenBucketLimiter(60, 1, clock);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  test('refund gives back one token, never past the burst; unknown keys are left alone', () => {
    const limiter = new TokenBucketLimiter(60, 2, clock);
    limiter.take('a');
    limiter.take('a');
    limiter.refund('a');
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    limiter.refund('a');
    limiter.refund('a');
    limiter.refund('a');
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false]);
    limiter.refund('never-seen');
    expect([1, 2, 3].map(() => limiter.take('never-seen').allowed)).toEqual([true, true, false]);
  });

  test('at most maxBuckets keys are kept, the least recently used dropped first', () => {
    const limiter = new TokenBucketLimiter(60, 1, clock, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a'); // a is now the most recently used
    limiter.take('c'); // drops b
    expect(limiter.take('b').allowed).toBe(true);
    // Dropping b's fresh bucket again made room: a was dropped when b came back.
    expect(limiter.take('c').allowed).toBe(false);
  });
});
