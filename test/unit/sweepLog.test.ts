/**
 * The sweep's log lines (shared/sweep/sweepLog.ts): one line for the run, one per device it found
 * something for, `event` first (the alerts select lines by that prefix, infra/core/alerts.bicep).
 */
import { silenceLogLines, sweepLogLines } from '../../shared/sweep/sweepLog';
import type { DeviceSweep, SweepResult } from '../../shared/sweep/types';

const quiet = (deviceId: string, fields: Partial<DeviceSweep> = {}): DeviceSweep => ({
  deviceId,
  confirmed: 0,
  orphaned: 0,
  stillPending: 0,
  problems: [],
  ...fields,
});

const result = (devices: DeviceSweep[]): SweepResult => ({
  startedAt: '2026-11-25T08:15:00.000Z',
  confirmed: devices.reduce((n, d) => n + d.confirmed, 0),
  orphaned: devices.reduce((n, d) => n + d.orphaned, 0),
  stillPending: devices.reduce((n, d) => n + d.stillPending, 0),
  devices,
});

describe('sweepLogLines', () => {
  test('the run line counts every device swept and rounds its duration', () => {
    expect(sweepLogLines(result([quiet('truck-1'), quiet('truck-2', { stillPending: 3 })]), 41.6)).toEqual([
      '{"event":"sweep","startedAt":"2026-11-25T08:15:00.000Z","devices":2,"confirmed":0,"orphaned":0,"stillPending":3,"ms":42}',
    ]);
  });

  test.each([
    ['files confirmed', { confirmed: 2, lastFileAt: '2026-11-25T08:14:00.000Z' }],
    ['claims orphaned', { orphaned: 1 }],
    ['claims it could not judge', { problems: ['a marker without a claim'] }],
  ])('a line per device with %s, naming the device; none for a device with nothing', (_name, fields) => {
    const lines = sweepLogLines(result([quiet('truck-1'), quiet('truck-2', fields), quiet('truck-3')]), 5);
    expect(lines.slice(1).map((line) => JSON.parse(line))).toEqual([
      { event: 'sweep.device', device: 'truck-2', confirmed: 0, orphaned: 0, stillPending: 0, ...fields },
    ]);
    expect(lines[1]).toMatch(/^\{"event":"sweep\.device","device":"truck-2",/);
  });

  test('a device with orphans and problems keeps both counts, and no lastFileAt it does not have', () => {
    const line = sweepLogLines(
      result([quiet('truck-9', { confirmed: 0, orphaned: 2, stillPending: 1, problems: ['x'] })]),
      0,
    )[1];
    expect(line).toBe(
      '{"event":"sweep.device","device":"truck-9","confirmed":0,"orphaned":2,"stillPending":1,"problems":["x"]}',
    );
  });
});

test('silenceLogLines: one device.silent line per silent device, none when none is', () => {
  expect(silenceLogLines([])).toEqual([]);
  expect(
    silenceLogLines([
      {
        deviceId: 'truck-1',
        lastFileAt: '2026-11-25T06:00:00.000Z',
        silentForSeconds: 7260,
        expectEverySeconds: 7200,
      },
    ]),
  ).toEqual([
    '{"event":"device.silent","device":"truck-1","lastFileAt":"2026-11-25T06:00:00.000Z","silentForSeconds":7260,"expectEverySeconds":7200}',
  ]);
});
