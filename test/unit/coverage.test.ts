import {
  type CoverageInput,
  coverageOf,
  mattersTo,
  receivedIn,
  receivedPerHour,
  DEFAULT_CLOCK_FLOOR_MS,
  gapsIn,
  humanDuration,
  wholeHours,
} from '../../shared/coverage';
import { addDays, contributionOf, type DayHours } from '../../shared/ledger/dayRollup';
import { type FileLogEntry, FileState } from '../../shared/ledger/types';
import type { StoredSummary } from '../../shared/readingSummary';

const range = { from: new Date('2026-11-25T00:00:00Z'), to: new Date('2026-11-26T00:00:00Z') };
const rules = { toleranceSeconds: 300, floorMs: DEFAULT_CLOCK_FLOOR_MS };
const hours = (...labels: string[]) => labels.map((l) => `20261125${l}:10`).join(',');

/** A settled file, as the file log holds it. */
function file(
  receivedAt: string,
  summary?: Partial<StoredSummary>,
  state: FileLogEntry['state'] = FileState.Stored,
): FileLogEntry {
  return {
    deviceId: 't',
    key: `${receivedAt}-${JSON.stringify(summary)}`,
    receivedAt,
    blobName: 'b',
    sha256: 's',
    sizeBytes: 1,
    schemaId: 'oil-condition-v1',
    state,
    settledAt: receivedAt,
    ...(summary ? { summary: { summaryVersion: 1, ...summary } } : {}),
  };
}

/** What the ledger would hold for these files: their rollups and their log rows. */
function input(files: FileLogEntry[], pending = 0): CoverageInput {
  const days: DayHours = new Map();
  for (const f of files)
    if (f.state === FileState.Stored) addDays(days, contributionOf(f.summary, f.receivedAt).days);
  return { deviceId: 't', days, files, pending };
}

describe('coverage arithmetic', () => {
  test('whole UTC hours inside [from, to): a partial hour at either end is not in range', () => {
    const h = (iso: string) => Date.parse(iso) / 3_600_000;
    expect(
      wholeHours({ from: new Date('2026-11-25T00:30:00Z'), to: new Date('2026-11-25T03:15:00Z') }),
    ).toEqual({
      first: h('2026-11-25T01:00:00Z'),
      end: h('2026-11-25T03:00:00Z'),
    });
  });

  test('gaps are maximal runs of empty hours, at the start, inside and at the end, longest first', () => {
    // Readings in hours 02-05 and 10-20: gaps 00-02 (start), 06-10, 21-24 (end).
    const files = [
      file('2026-11-25T06:00:00Z', { readings: 40, readingHours: hours('02', '03', '04', '05') }),
      file('2026-11-25T21:00:00Z', {
        readings: 110,
        readingHours: hours('10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20'),
      }),
    ];
    const c = coverageOf(input(files), range, rules);
    expect(c).toMatchObject({ files: 2, readings: 150, hoursCovered: 15, hoursInRange: 24, orphaned: 0 });
    expect(c.gaps).toEqual([
      { from: '2026-11-25T06:00:00.000Z', to: '2026-11-25T10:00:00.000Z', hours: 4 },
      { from: '2026-11-25T21:00:00.000Z', to: '2026-11-26T00:00:00.000Z', hours: 3 },
      { from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T02:00:00.000Z', hours: 2 },
    ]);
  });

  test('a device with nothing is one gap over the whole range', () => {
    expect(coverageOf(input([]), range, rules)).toMatchObject({
      files: 0,
      readings: 0,
      hoursCovered: 0,
      gaps: [{ from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z', hours: 24 }],
    });
  });

  test('readings outside the range do not count, nor does their file', () => {
    const files = [
      file('2026-11-27T00:00:00Z', { readings: 5, readingHours: '2026112423:5', clockOffsetSeconds: 99_999 }),
    ];
    expect(coverageOf(input(files), range, rules)).toMatchObject({
      files: 0,
      readings: 0,
      clock: { aheadFiles: 0 },
    });
  });

  test('files without reading times cover the hour they arrived in', () => {
    const c = coverageOf(input([file('2026-11-25T07:30:00Z'), file('2026-11-25T07:45:00Z')]), range, rules);
    expect(c).toMatchObject({ files: 2, readings: 0, hoursCovered: 1 });
    expect(c.perHour[7]).toBe(2);
  });

  test('orphaned claims received in the range are counted, never as data; pending ones are passed through', () => {
    const files = [
      file('2026-11-25T08:00:00Z', { readings: 10, readingHours: hours('08') }, FileState.Orphaned),
      file('2026-11-24T08:00:00Z', { readings: 10, readingHours: hours('08') }, FileState.Orphaned),
      file('2026-11-25T09:00:00Z', { readings: 10, readingHours: hours('08') }, FileState.Replaced),
    ];
    const c = coverageOf(input(files, 3), range, rules);
    expect(c).toMatchObject({ files: 0, readings: 0, hoursCovered: 0, orphaned: 1, pending: 3 });
  });

  test('a clock reset: the hours its files arrived in are a reset, not a gap; the files count', () => {
    const reset = (receivedAt: string) =>
      file(receivedAt, {
        readings: 3,
        firstReadingAt: '1970-01-01T00:10:00.000Z',
        lastReadingAt: '1970-01-01T00:30:00.000Z',
        readingHours: '1970010100:3',
        sentAt: '1970-01-01T00:31:00.000Z',
      });
    const files = [
      file('2026-11-25T02:31:00Z', { readings: 60, readingHours: hours('00', '01', '02') }),
      reset('2026-11-25T03:31:00Z'),
      reset('2026-11-25T03:45:00Z'),
      reset('2026-11-25T04:31:00Z'),
      file('2026-11-25T23:31:00Z', { readings: 10, readingHours: hours('23') }),
      // Received before the range: not the range's file, nor its hour.
      reset('2026-11-24T23:31:00Z'),
    ];
    const c = coverageOf(input(files), range, rules);
    expect(c).toMatchObject({ files: 5, readings: 40, hoursCovered: 4 });
    expect(c.clock).toMatchObject({ resetFiles: 3, aheadFiles: 0, behindFiles: 0 });
    expect(c.resets).toEqual([
      { from: '2026-11-25T03:00:00.000Z', to: '2026-11-25T05:00:00.000Z', hours: 2 },
    ]);
    expect(c.gaps).toEqual([{ from: '2026-11-25T05:00:00.000Z', to: '2026-11-25T23:00:00.000Z', hours: 18 }]);
    expect(c.resetFilesPerHour.slice(0, 6)).toEqual([0, 0, 0, 2, 1, 0]);
    // A reset file in an hour that has readings: the hour is covered, neither gap nor reset.
    const covered = coverageOf(
      input([...files, file('2026-11-25T03:50:00Z', { readings: 1, readingHours: hours('03') })]),
      range,
      rules,
    );
    expect(covered.resets).toEqual([
      { from: '2026-11-25T04:00:00.000Z', to: '2026-11-25T05:00:00.000Z', hours: 1 },
    ]);
  });

  test('the clock is judged on the range files; the other files read are evidence of freshness only', () => {
    const sent = (receivedAt: string, sentAt: string, hour: string) =>
      file(receivedAt, {
        readings: 1,
        firstReadingAt: `2026-11-25T${hour}:10:00.000Z`,
        lastReadingAt: `2026-11-25T${hour}:10:00.000Z`,
        readingHours: hours(hour),
        sentAt,
      });
    // Written on the 25th, received two days later with a file written just before it was sent.
    const buffered = [sent('2026-11-27T06:00:00Z', '2026-11-25T08:31:00Z', '08')];
    const fresh = file('2026-11-27T06:00:02Z', {
      readings: 1,
      firstReadingAt: '2026-11-27T05:59:00.000Z',
      lastReadingAt: '2026-11-27T05:59:00.000Z',
      readingHours: '2026112705:1',
      sentAt: '2026-11-27T06:00:00.000Z',
    });
    const c = coverageOf(input([...buffered, fresh]), range, rules);
    expect(c.files).toBe(1);
    expect(c.clock).toEqual({
      aheadFiles: 0,
      behindFiles: 0,
      maxAheadSeconds: 0,
      maxBehindSeconds: 0,
      resetFiles: 0,
      delay: { minSeconds: 163_740, medianSeconds: 163_740, maxSeconds: 163_740 },
    });
    // Without the fresh file, nothing shows the wait was a buffer's.
    expect(coverageOf(input(buffered), range, rules).clock).toMatchObject({
      behindFiles: 1,
      maxBehindSeconds: 163_740,
    });
    // Orphaned files are not evidence: they are not stored.
    const orphan = { ...fresh, state: FileState.Orphaned };
    expect(coverageOf(input([...buffered, orphan]), range, rules).clock).toMatchObject({ behindFiles: 1 });
  });

  test('with a reference: the four states per hour, and what neither has', () => {
    const files = [
      file('2026-11-25T06:00:00Z', { readings: 40, readingHours: hours('02', '03', '04', '05') }),
    ];
    const reference = new Map([
      [Date.parse('2026-11-25T00:00:00Z') / 3_600_000, 60],
      [Date.parse('2026-11-25T03:00:00Z') / 3_600_000, 60],
      [Date.parse('2026-11-25T23:00:00Z') / 3_600_000, 5],
      [Date.parse('2026-11-26T00:00:00Z') / 3_600_000, 5],
    ]);
    const c = coverageOf(input(files), range, { ...rules, reference });
    expect(c.reference).toEqual({
      hoursBoth: 1,
      hoursFilled: 3,
      hoursReferenceOnly: 2,
      hoursStillMissing: 18,
      stillMissing: [
        { from: '2026-11-25T06:00:00.000Z', to: '2026-11-25T23:00:00.000Z', hours: 17 },
        { from: '2026-11-25T01:00:00.000Z', to: '2026-11-25T02:00:00.000Z', hours: 1 },
      ],
    });
    expect(c.referencePerHour!.slice(0, 4)).toEqual([60, 0, 0, 60]);
    expect(c.referencePerHour).toHaveLength(24);
    expect(coverageOf(input(files), range, rules)).not.toHaveProperty('reference');
  });

  test.each([
    [0, '0 s'],
    [45, '45 s'],
    [-45, '45 s'],
    [59, '59 s'],
    [60, '1 min 0 s'],
    [2400, '40 min 0 s'],
    [3599, '59 min 59 s'],
    [3600, '1 h 0 min'],
    [3629, '1 h 0 min'],
    [3630, '1 h 1 min'],
    [10_798, '3 h 0 min'],
    [-10_800, '3 h 0 min'],
    [86_369, '23 h 59 min'],
    [86_399, '1 d 0 h'],
    [86_400, '1 d 0 h'],
    [172_800 + 5400, '2 d 2 h'],
    [163_740, '1 d 21 h'],
    [365 * 86_400, '365 d 0 h'],
  ])('humanDuration(%d) is %j', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });

  test('which files matter to a range: received in it, or readings overlapping it (edges exact)', () => {
    const readings = (first: string, last: string) =>
      file('2026-12-01T00:00:00Z', { readings: 2, firstReadingAt: first, lastReadingAt: last });
    expect(mattersTo(file('2026-11-25T00:00:00.000Z'), range)).toBe(true);
    expect(mattersTo(file('2026-11-25T23:59:59.999Z'), range)).toBe(true);
    expect(mattersTo(file('2026-11-26T00:00:00.000Z'), range)).toBe(false);
    expect(mattersTo(file('2026-11-24T23:59:59.999Z'), range)).toBe(false);
    expect(mattersTo(readings('2026-11-20T00:00:00.000Z', '2026-11-25T00:00:00.000Z'), range)).toBe(true);
    expect(mattersTo(readings('2026-11-20T00:00:00.000Z', '2026-11-24T23:59:59.999Z'), range)).toBe(false);
    expect(mattersTo(readings('2026-11-25T23:59:59.999Z', '2026-11-27T00:00:00.000Z'), range)).toBe(true);
    expect(mattersTo(readings('2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'), range)).toBe(false);
    expect(mattersTo(file('2026-12-01T00:00:00Z', { readings: 0 }), range)).toBe(false);
  });

  test('files received per hour of the span; the span is [first, end)', () => {
    const span = wholeHours(range);
    const files = [
      '2026-11-25T00:00:00Z',
      '2026-11-25T00:59:59Z',
      '2026-11-25T23:00:00Z',
      '2026-11-26T00:00:00Z',
      '2026-11-24T23:59:59Z',
    ].map((at) => file(at));
    const perHour = receivedPerHour(files, span);
    expect([perHour[0], perHour[1], perHour[23], perHour.length]).toEqual([2, 0, 1, 24]);
    expect(perHour.reduce((a, b) => a + b)).toBe(3);
    expect(files.map((f) => receivedIn(f, span))).toEqual([true, true, true, false, false]);
  });

  test('gapsIn on its own: ties keep time order', () => {
    expect(gapsIn([0, 1, 0], 0).map((g) => g.from)).toEqual([
      '1970-01-01T00:00:00.000Z',
      '1970-01-01T02:00:00.000Z',
    ]);
  });
});
