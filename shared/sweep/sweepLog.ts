import type { SilentDevice } from '../silence';
import type { SweepResult } from './types';

/** The `event` of each line the sweep writes; the alerts select lines by it (infra/core/alerts.bicep). */
export const SweepEvent = {
  Run: 'sweep',
  Device: 'sweep.device',
  Silent: 'device.silent',
} as const;

/**
 * The sweep's log: one line for the run and one per device it found something for (files confirmed
 * or orphaned, claims it could not judge), so a query can name the device. Identifiers and counts
 * only.
 */
export function sweepLogLines(result: SweepResult, ms: number): string[] {
  const { startedAt, confirmed, orphaned, stillPending, devices } = result;
  const run = {
    event: SweepEvent.Run,
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
      event: SweepEvent.Device,
      device: deviceId,
      confirmed,
      orphaned,
      stillPending,
      ...(lastFileAt ? { lastFileAt } : {}),
      ...(problems.length ? { problems } : {}),
    }));
  return [run, ...perDevice].map((line) => JSON.stringify(line));
}

/**
 * One line per silent device after the run (shared/silence.ts), written as a warning: the silence
 * alert fires per device while these lines keep coming and resolves when they stop.
 */
export function silenceLogLines(silent: readonly SilentDevice[]): string[] {
  return silent.map(({ deviceId, lastFileAt, silentForSeconds, expectEverySeconds }) =>
    JSON.stringify({
      event: SweepEvent.Silent,
      device: deviceId,
      lastFileAt,
      silentForSeconds,
      expectEverySeconds,
    }),
  );
}
