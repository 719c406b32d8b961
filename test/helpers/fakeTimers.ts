import type { Timers } from '../../shared/bodyDeadline';

/** Timers on a clock the test moves: deadlines pass without waiting. Counts the timers it armed. */
export class FakeTimers implements Timers {
  private ms = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  armed = 0;

  now = (): number => this.ms;

  setTimeout = (callback: () => void, ms: number): number => {
    this.armed++;
    const id = this.nextId++;
    this.pending.set(id, { at: this.ms + ms, callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  get active(): number {
    return this.pending.size;
  }

  /** Moves the clock, firing each timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.ms + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.ms = due[1].at;
      due[1].callback();
    }
    this.ms = until;
  }
}
