import { IncompleteBodyError } from './errors';

/** The clock and timer a body read runs on: the system's, or a test's. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BodyTimeouts {
  /** Longest wait for the next chunk: past it the body has stalled. */
  idleTimeoutMs?: number;
  /** Longest time the whole body may take, from the start of reading. */
  totalTimeoutMs?: number;
}

/**
 * The two deadlines of one body read. One timer at a time, re-armed only when it fires, so a body
 * trickled in tiny chunks costs a clock read per chunk, not a timer. When a deadline passes,
 * `onExpire` stops the read and `check` throws the 408-class error.
 */
export class BodyDeadline {
  private readonly startedAt: number;
  private lastProgressAt: number;
  private timer?: unknown;
  private expired?: IncompleteBodyError;

  constructor(
    private readonly timeouts: BodyTimeouts,
    private readonly onExpire: () => void,
    private readonly timers: Timers = systemTimers,
  ) {
    this.startedAt = this.lastProgressAt = timers.now();
    this.schedule();
  }

  /** A chunk arrived. */
  progress(): void {
    this.lastProgressAt = this.timers.now();
  }

  /** Throws once a deadline has passed. */
  check(): void {
    if (this.expired) throw this.expired;
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = undefined;
    const { idleTimeoutMs = Infinity, totalTimeoutMs = Infinity } = this.timeouts;
    const now = this.timers.now();
    const totalLeft = this.startedAt + totalTimeoutMs - now;
    const idleLeft = this.lastProgressAt + idleTimeoutMs - now;
    if (totalLeft <= 0) {
      this.expire(`The body took longer than ${seconds(totalTimeoutMs)} to arrive.`);
    } else if (idleLeft <= 0) {
      this.expire(`The body stalled: nothing arrived for ${seconds(idleTimeoutMs)}.`);
    } else if (Number.isFinite(Math.min(totalLeft, idleLeft))) {
      this.timer = this.timers.setTimeout(() => this.schedule(), Math.min(totalLeft, idleLeft));
    }
  }

  private expire(what: string): void {
    this.expired = new IncompleteBodyError(
      'body_timeout',
      `${what} Nothing was stored; keep the file and send it again.`,
    );
    this.onExpire();
  }
}

const seconds = (ms: number) => `${ms / 1000} s`;
