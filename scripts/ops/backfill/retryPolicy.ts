/** Longest `Retry-After` honoured; a longer one (a misconfigured proxy) is waited for this long. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface Backoff {
  baseMs: number;
  capMs: number;
}

/**
 * The wait before the next attempt after `failures` failed ones, as docs/DELIVERY.md asks of a
 * gateway: exponential from `baseMs`, capped at `capMs`, a random point between half and all of it,
 * and never sooner than the endpoint's `Retry-After`.
 */
export function retryDelayMs(
  failures: number,
  backoff: Backoff,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const full = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = full / 2 + random() * (full / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks `signal.aborted`). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A 429 is the endpoint pacing one device (its token bucket), not a failure of the file: every
 * request of that device waits until `Retry-After` has passed, instead of each one finding out.
 */
export class DeviceGates {
  private readonly openAt = new Map<string, number>();

  hold(deviceId: string, ms: number): void {
    const until = Date.now() + Math.min(ms, MAX_RETRY_AFTER_MS);
    this.openAt.set(deviceId, Math.max(this.openAt.get(deviceId) ?? 0, until));
  }

  isOpen(deviceId: string): boolean {
    return (this.openAt.get(deviceId) ?? 0) <= Date.now();
  }

  async pass(deviceId: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const wait = (this.openAt.get(deviceId) ?? 0) - Date.now();
      if (wait <= 0 || signal.aborted) return;
      await sleep(wait, signal);
    }
  }
}
