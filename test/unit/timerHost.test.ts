import { once } from 'node:events';
import type { Timer } from '@azure/functions';
import type { RegisteredFunction } from '../../scripts/dev/loadFunctionApp';
import {
  MAX_TIMEOUT_MS,
  TimerHost,
  type RegisteredTimerFunction,
  type TimerClock,
  nextOccurrence,
  timerFunctionsOf,
} from '../../scripts/dev/timerHost';
import { TABLE_EXPORT_SCHEDULE } from '../../functions/tableExport';

/** A clock the test moves: timers fire when `advanceTo` passes their due time, never by waiting. */
class ManualClock implements TimerClock {
  private pending: Array<{ at: number; callback: () => void; id: number }> = [];
  private ids = 0;
  constructor(private current: number) {}
  now = () => new Date(this.current);
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.ids;
    this.pending.push({ at: this.current + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.pending = this.pending.filter((p) => p.id !== handle);
  };
  advanceTo(iso: string): void {
    this.current = Date.parse(iso);
    for (const due of this.pending.filter((p) => p.at <= this.current)) {
      this.pending = this.pending.filter((p) => p !== due);
      due.callback();
    }
  }
  get waiting(): number[] {
    return this.pending.map((p) => p.at);
  }
}

const timer = (
  schedule: string,
  handler: RegisteredTimerFunction['handler'] = () => undefined,
  runOnStartup = false,
): RegisteredTimerFunction => ({ name: 'tick', schedule, runOnStartup, handler });

describe('dev host timers', () => {
  it("finds app.timer registrations (the v4 library's timerTrigger binding) and leaves HTTP ones out", () => {
    const registered: RegisteredFunction[] = [
      {
        name: 'tableExport',
        bindings: { timerTrigger1: { type: 'timerTrigger', direction: 'in', schedule: '0 30 1 * * *' } },
        handler: () => undefined,
      },
      { name: 'health', bindings: { h: { type: 'httpTrigger', direction: 'in' } }, handler: () => undefined },
    ];
    expect(timerFunctionsOf(registered)).toEqual([
      expect.objectContaining({ name: 'tableExport', schedule: '0 30 1 * * *', runOnStartup: false }),
    ]);
  });

  it.each([
    ['*/5 * * * * *', '2026-11-27T00:00:01.000Z', '2026-11-27T00:00:05.000Z'],
    ['0 30 1 * * *', '2026-11-27T01:30:00.000Z', '2026-11-28T01:30:00.000Z'],
    ['0 0 */6 * * *', '2026-11-27T07:00:00.000Z', '2026-11-27T12:00:00.000Z'],
    ['0 0 9 * * 1-5', '2026-11-28T10:00:00.000Z', '2026-11-30T09:00:00.000Z'], // Saturday -> Monday
  ])('reads the six-field NCRONTAB %s in UTC: after %s comes %s', (schedule, after, next) => {
    expect(nextOccurrence(schedule, new Date(after)).toISOString()).toBe(next);
  });

  it('refuses a five-field (classic cron) schedule at start, naming the format', () => {
    expect(() => new TimerHost([timer('*/5 * * * *')])).toThrow(/six fields, \{second\} \{minute\}/);
  });

  it('fires each occurrence on the injected clock and re-arms for the next', async () => {
    const clock = new ManualClock(Date.parse('2026-11-27T00:00:01Z'));
    const calls: Timer[] = [];
    const host = new TimerHost([timer('*/5 * * * * *', (t) => void calls.push(t))], () => undefined, clock);
    host.start();
    expect(clock.waiting).toEqual([Date.parse('2026-11-27T00:00:05Z')]);

    const first = once(host, 'fired');
    clock.advanceTo('2026-11-27T00:00:05Z');
    const [fired] = (await first) as [{ name: string; scheduledFor: Date }];
    expect(fired.scheduledFor.toISOString()).toBe('2026-11-27T00:00:05.000Z');
    expect(calls[0]).toMatchObject({
      isPastDue: false,
      scheduleStatus: { next: '2026-11-27T00:00:10.000Z', last: '1970-01-01T00:00:00.000Z' },
    });
    expect(clock.waiting).toEqual([Date.parse('2026-11-27T00:00:10Z')]);

    const second = once(host, 'fired');
    clock.advanceTo('2026-11-27T00:00:10Z');
    await second;
    expect(calls[1]!.scheduleStatus.last).toBe('2026-11-27T00:00:05.000Z');
    host.stop();
    expect(clock.waiting).toEqual([]);
  });

  it('waits for an occurrence months away in steps setTimeout can take, firing it only when due', async () => {
    const clock = new ManualClock(Date.parse('2026-11-27T00:00:00Z'));
    const calls: Timer[] = [];
    const host = new TimerHost([timer('0 0 0 1 1 *', (t) => void calls.push(t))], () => undefined, clock);
    host.start();
    expect(clock.waiting).toEqual([Date.parse('2026-11-27T00:00:00Z') + MAX_TIMEOUT_MS]);
    clock.advanceTo('2026-12-22T00:00:00Z');
    expect(calls).toEqual([]);
    expect(clock.waiting).toHaveLength(1);
    const fired = once(host, 'fired');
    clock.advanceTo('2027-01-01T00:00:00Z');
    const [event] = (await fired) as [{ scheduledFor: Date }];
    expect(event.scheduledFor.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(calls).toHaveLength(1);
    host.stop();
  });

  it('runs runOnStartup timers once at start, and keeps the schedule after a failing run', async () => {
    const clock = new ManualClock(Date.parse('2026-11-27T00:00:01Z'));
    const host = new TimerHost(
      [timer('*/5 * * * * *', () => Promise.reject(new Error('storage down')), true)],
      () => undefined,
      clock,
    );
    const atStart = once(host, 'fired');
    host.start();
    const [fired] = (await atStart) as [{ error: Error }];
    expect(fired.error.message).toBe('storage down');
    const next = once(host, 'fired');
    clock.advanceTo('2026-11-27T00:00:05Z');
    await next;
    expect(clock.waiting).toEqual([Date.parse('2026-11-27T00:00:10Z')]);
    host.stop();
  });

  it('fires a timer with a one-second schedule on the real clock (awaited by event, not by sleeping)', async () => {
    const host = new TimerHost([timer('* * * * * *')], () => undefined);
    const fired = once(host, 'fired');
    host.start();
    const [event] = (await fired) as [{ name: string; error?: unknown }];
    host.stop();
    expect(event).toMatchObject({ name: 'tick', error: undefined });
  });

  it('knows the table export schedule: nightly at 01:30 UTC', () => {
    expect(nextOccurrence(TABLE_EXPORT_SCHEDULE, new Date('2026-11-27T12:00:00Z')).toISOString()).toBe(
      '2026-11-28T01:30:00.000Z',
    );
  });
});
