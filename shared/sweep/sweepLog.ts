import type { SweepResult } from './types';

/**
 * The sweep's log: one line for the run and one per device it found something for (files confirmed
 * or orphaned, claims it could not judge), so a query can name the device. Identifiers and counts
 * only.
 */
export function sweepLogLines(result: SweepResult, ms: number): string[] {
  const { startedAt, confirmed, orphaned, stillPending, devices } = result;
  const run = {
    event: 'sweep',
    startedAt,
    devices: devices.length,
    confirmed,
    orphaned,
    stillPending,
    ms: Math.round(ms),
  };
  const perDevice = devices
    .filter((d) => d.confirmed + d.orphaned + d.problems.length > 0)
    .map(({ deviceId, confirmed, orphaned, stillPending, lastFileAt, problems }) => ({
      event: 'sweep.device',
      device: deviceId,
      confirmed,
      orphaned,
      stillPending,
      ...(lastFileAt ? { lastFileAt } : {}),
      ...(problems.length ? { problems } : {}),
    }));
  return [run, ...perDevice].map((line) => JSON.stringify(line));
}
