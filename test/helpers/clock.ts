/** A clock tests move by hand: cache TTLs, key expiry and token buckets without sleeping. */
export class TestClock {
  private ms: number;

  constructor(start: Date | string = '2026-11-25T08:00:00Z') {
    this.ms = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.ms);

  advance(ms: number): void {
    this.ms += ms;
  }
}
