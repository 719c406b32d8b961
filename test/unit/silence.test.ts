/**
 * Device silence and the telemetry the alerts read: the silence rule (shared/silence.ts), the sweep
 * recording each device's newest file before it settles, the clock evidence of one file, and the
 * log lines' shape (event first: the queries select lines by that prefix).
 */
import type { DeviceRecord } from '../../shared/auth/deviceRecord';
import { formatRequestLog } from '../../shared/requestLog';
import { silentDevices } from '../../shared/silence';
import { silenceLogLines } from '../../shared/sweep/sweepLog';
import { clockEvidence } from '../../shared/telemetry/clockEvidence';
import { fileWith, LEDGER_FIXTURE, ledgerFixture } from '../helpers/ledgerFixture';

const NOW = new Date('2026-11-25T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const device = (deviceId: string, fields: Partial<DeviceRecord>): DeviceRecord => ({
  deviceId,
  disabled: false,
  createdAt: '2026-01-01T00:00:00Z',
  keys: [],
  ...fields,
});

describe('silentDevices: seen within 7 days, nothing for longer than its expected interval', () => {
  test.each([
    ['default 2 h, quiet 2 h exactly', { lastFileAt: ago(7200) }, false],
    ['default 2 h, quiet 2 h 1 s', { lastFileAt: ago(7201) }, true],
    ['1 min, quiet 61 s', { lastFileAt: ago(61), expectEverySeconds: 60 }, true],
    ['1 d, quiet 23 h', { lastFileAt: ago(23 * 3600), expectEverySeconds: 86_400 }, false],
    ['quiet 7 d exactly (still in service)', { lastFileAt: ago(7 * 86_400) }, true],
    ['quiet over 7 d (parked)', { lastFileAt: ago(7 * 86_400 + 1) }, false],
    ['never sent', {}, false],
    ['disabled', { lastFileAt: ago(9000), disabled: true }, false],
  ])('%s', (_name, fields, silent) => {
    expect(silentDevices([device('truck-1', fields)], NOW).length).toBe(silent ? 1 : 0);
  });

  test('says when it last sent, for how long it has not, and what was expected; sorted by id', () => {
    const devices = [
      device('truck-b', { lastFileAt: ago(9000) }),
      device('truck-a', { lastFileAt: ago(4000), expectEverySeconds: 3600 }),
    ];
    expect(silentDevices(devices, NOW)).toEqual([
      { deviceId: 'truck-a', lastFileAt: ago(4000), silentForSeconds: 4000, expectEverySeconds: 3600 },
      { deviceId: 'truck-b', lastFileAt: ago(9000), silentForSeconds: 9000, expectEverySeconds: 7200 },
    ]);
    expect(silenceLogLines(silentDevices(devices, NOW))[0]).toBe(
      `{"event":"device.silent","device":"truck-a","lastFileAt":"${ago(4000)}","silentForSeconds":4000,"expectEverySeconds":3600}`,
    );
  });
});

describe("the sweep keeps each device's newest file on its registry row", () => {
  test('recorded with the confirmation record, before the settlement: a crash there repeats it, never skips it', async () => {
    const fx = ledgerFixture();
    await fx.send(fileWith('2026-11-25T08:00:00Z', 1));
    fx.clock.advance(60_000);
    await fx.send(fileWith('2026-11-25T08:01:00Z', 1));
    fx.ledger.failNext('settle');

    await expect(fx.sweep()).rejects.toThrow();
    const newest = new Date(Date.parse(LEDGER_FIXTURE.T0) + 60_000).toISOString();
    expect(fx.lastFiles.get(LEDGER_FIXTURE.DEVICE)).toBe(newest);
    expect(fx.calls.indexOf('lastFiles.record')).toBeGreaterThan(fx.calls.indexOf('confirmations.record'));

    expect(await fx.sweep()).toMatchObject({ confirmed: 2 });
    expect(fx.lastFiles.get(LEDGER_FIXTURE.DEVICE)).toBe(newest);
  });

  test('nothing confirmed, nothing recorded', async () => {
    const fx = ledgerFixture();
    await fx.sweep();
    expect(fx.lastFiles.size).toBe(0);
    expect(fx.calls).not.toContain('lastFiles.record');
  });
});

describe('clockEvidence: what one file proves about its clock', () => {
  const received = new Date('2026-11-25T08:15:00Z');
  test.each([
    [
      'on time',
      { sentAt: '2026-11-25T08:15:02Z', lastReadingAt: '2026-11-25T08:14:00Z' },
      { clockOffsetSeconds: 2, delaySeconds: -2 },
    ],
    [
      'buffered 2 days: a delay, not a verdict',
      { sentAt: '2026-11-23T08:15:00Z', firstReadingAt: '2026-11-23T08:00:00Z' },
      { clockOffsetSeconds: -172800, delaySeconds: 172800 },
    ],
    [
      '5 min ahead exactly: within tolerance',
      { sentAt: '2026-11-25T08:20:00Z' },
      { clockOffsetSeconds: 300, delaySeconds: -300 },
    ],
    ['3 h ahead', { lastReadingAt: '2026-11-25T11:15:00Z' }, { delaySeconds: -10800, clock: 'ahead' }],
    [
      'a reading before 2000',
      { sentAt: '2026-11-25T08:15:00Z', firstReadingAt: '1970-01-01T01:00:00Z' },
      { clockOffsetSeconds: 0, delaySeconds: 0, clock: 'reset' },
    ],
    [
      'over a day ahead',
      { sentAt: '2026-11-26T08:15:01Z' },
      { clockOffsetSeconds: 86401, delaySeconds: -86401, clock: 'reset' },
    ],
    [
      'a reading at 2000-01-01T00:00Z exactly: the floor itself is no reset',
      { firstReadingAt: '2000-01-01T00:00:00Z', lastReadingAt: '2026-11-25T08:15:00Z' },
      { delaySeconds: 0 },
    ],
    [
      'a day ahead exactly: ahead, not yet a reset',
      { lastReadingAt: '2026-11-26T08:15:00Z' },
      { delaySeconds: -86400, clock: 'ahead' },
    ],
    ['no times at all', {}, {}],
  ])('%s', (_name, summary, evidence) => {
    expect(clockEvidence({ readings: 1, ...summary }, received)).toEqual(evidence);
  });
  test('under half a second either way is 0 seconds, never -0', () => {
    const evidence = clockEvidence({ readings: 1, sentAt: '2026-11-25T08:14:59.600Z' }, received);
    expect(Object.is(evidence.clockOffsetSeconds, 0)).toBe(true);
    const late = clockEvidence({ readings: 1, sentAt: '2026-11-25T08:15:00.400Z' }, received);
    expect(Object.is(late.delaySeconds, 0)).toBe(true);
  });
  test('no summary (a model without reading times)', () => {
    expect(clockEvidence(undefined, received)).toEqual({});
  });
});

test('the request log line starts with its event, whatever order it was given in, and rounds ms', () => {
  const line = formatRequestLog({
    outcome: 'stored',
    status: 200,
    event: 'ingest',
    device: 'truck-1',
    ms: 12.345,
  });
  expect(line).toBe('{"event":"ingest","outcome":"stored","status":200,"device":"truck-1","ms":12.3}');
});
