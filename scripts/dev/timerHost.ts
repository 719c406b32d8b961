/**
 * Runs the registered v4 timer functions on their NCRONTAB schedules, as the Functions host does
 * under `func start`: each fires at its next occurrence (UTC), with a `Timer` and an
 * `InvocationContext`; `runOnStartup` fires once at start. General on purpose: every `app.timer`
 * the app registers runs here, with no per-function code.
 *
 * The six-field NCRONTAB format ({second} {minute} {hour} {day} {month} {day-of-week}) is parsed by
 * cron-parser, which reads a leading seconds field. The clock and the timers are injectable, so
 * tests move time instead of waiting; every invocation is announced on the 'fired' event.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { InvocationContext, type Timer } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import type { RegisteredFunction } from './loadFunctionApp';

export interface RegisteredTimerFunction {
  name: string;
  schedule: string;
  runOnStartup: boolean;
  handler: (timer: Timer, context: InvocationContext) => unknown;
}

/** The timer-triggered functions of a loaded app. */
export function timerFunctionsOf(functions: RegisteredFunction[]): RegisteredTimerFunction[] {
  return functions.flatMap((fn) => {
    const trigger = Object.values(fn.bindings).find((b) => b.type === 'timerTrigger');
    if (!trigger) return [];
    return [
      {
        name: fn.name,
        schedule: String(trigger.schedule),
        runOnStartup: trigger.runOnStartup === true,
        handler: fn.handler as RegisteredTimerFunction['handler'],
      },
    ];
  });
}

/** The next occurrence of a six-field NCRONTAB schedule strictly after `after`, in UTC. */
export function nextOccurrence(schedule: string, after: Date): Date {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(
      `"${schedule}" is not an NCRONTAB expression: six fields, {second} {minute} {hour} {day} {month} {day-of-week}`,
    );
  return CronExpressionParser.parse(schedule, { currentDate: after, tz: 'UTC' }).next().toDate();
}

/** The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface TimerClock {
  now(): Date;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: TimerClock = {
  now: () => new Date(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface TimerFired {
  name: string;
  scheduledFor: Date;
  error?: unknown;
}

export class TimerHost extends EventEmitter<{ fired: [TimerFired] }> {
  private readonly pending = new Map<string, unknown>();
  private readonly last = new Map<string, Date>();
  private stopped = false;

  constructor(
    private readonly timers: RegisteredTimerFunction[],
    private readonly log: (line: string) => void = (line) => console.log(line),
    private readonly clock: TimerClock = realClock,
  ) {
    super();
    for (const timer of timers) nextOccurrence(timer.schedule, new Date(0)); // a bad schedule fails start-up
  }

  start(): void {
    for (const timer of this.timers) {
      if (timer.runOnStartup) void this.fire(timer, this.clock.now());
      this.arm(timer);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.pending.values()) this.clock.clearTimeout(handle);
    this.pending.clear();
  }

  /** When each timer fires next. */
  schedule(): Array<{ name: string; schedule: string; next: Date }> {
    return this.timers.map((t) => ({
      name: t.name,
      schedule: t.schedule,
      next: nextOccurrence(t.schedule, this.clock.now()),
    }));
  }

  private arm(timer: RegisteredTimerFunction): void {
    if (this.stopped) return;
    const due = nextOccurrence(timer.schedule, this.clock.now());
    const wait = Math.max(0, due.getTime() - this.clock.now().getTime());
    // setTimeout takes a 32-bit delay: a longer one (a monthly or yearly schedule) fires after 1 ms,
    // which made such a timer fire over and over. A far occurrence is waited for in steps.
    const step = Math.min(wait, MAX_TIMEOUT_MS);
    const handle = this.clock.setTimeout(() => {
      this.pending.delete(timer.name);
      if (step < wait) this.arm(timer);
      else void this.fire(timer, due).finally(() => this.arm(timer));
    }, step);
    this.pending.set(timer.name, handle);
  }

  private async fire(timer: RegisteredTimerFunction, scheduledFor: Date): Promise<void> {
    const now = this.clock.now();
    const info: Timer = {
      isPastDue: now.getTime() - scheduledFor.getTime() > 60_000,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (this.last.get(timer.name) ?? new Date(0)).toISOString(),
        next: nextOccurrence(timer.schedule, scheduledFor).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    this.last.set(timer.name, scheduledFor);
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: timer.name,
      logHandler: (level, ...args) => this.log(`[${timer.name}] ${level}: ${args.map(String).join(' ')}`),
    });
    let error: unknown;
    try {
      await timer.handler(info, context);
    } catch (err) {
      error = err;
      this.log(`[${timer.name}] failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.emit('fired', { name: timer.name, scheduledFor, error });
  }
}
