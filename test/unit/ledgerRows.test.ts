/**
 * The ledger's row keys and day-rollup arithmetic (shared/ledger/): the ranges each reader asks for
 * hold exactly the rows they mean, and a file adds to the hours its readings fall in.
 */
import {
  addDays,
  contributionOf,
  dayOfHour,
  formatHours,
  MAX_ROLLUP_DAYS_PER_FILE,
  parseHours,
} from '../../shared/ledger/dayRollup';
import {
  compactTime,
  dayOfRowKey,
  dayRange,
  dayRowKey,
  fileRange,
  fileRowKey,
  isLedgerRowKey,
  isMarkerRowKey,
  markerRange,
  markerRowKey,
} from '../../shared/ledger/rowKeys';
import { toRowKey } from '../../shared/idempotencyKey';

const within = (key: string, { ge, lt }: { ge: string; lt: string }) => key >= ge && key < lt;

describe('ledger row keys', () => {
  test('times become fixed-width text that sorts as time does', () => {
    expect(compactTime('2026-12-06T14:07:16.123Z')).toBe('20261206T140716123Z');
    expect(compactTime('2026-12-06T14:07:16Z')).toBe('20261206T140716000Z');
    expect(compactTime('2026-12-06T15:07:16.123+01:00')).toBe('20261206T140716123Z');
  });

  test('each kind has its prefix; no claim key can start like a ledger row', () => {
    expect(markerRowKey('2026-12-06T14:07:16.123Z', 'abc')).toBe('~~p~20261206T140716123Z~abc');
    expect(fileRowKey('2026-12-06T14:07:16.123Z', 'abc')).toBe('~~f~20261206T140716123Z~abc');
    expect(dayRowKey('20261206')).toBe('~~d~20261206');
    expect(dayOfRowKey('~~d~20261206')).toBe('20261206');
    for (const key of ['~', '~~', '~~p~x', 'a~b', 'sha']) expect(isLedgerRowKey(toRowKey(key))).toBe(false);
    expect(isLedgerRowKey('~~f~x')).toBe(true);
    expect(isMarkerRowKey('~~p~x')).toBe(true);
    expect(isMarkerRowKey('~~f~x')).toBe(false);
  });

  test('the marker range holds every marker and nothing else', () => {
    const range = markerRange();
    expect(within(markerRowKey('1970-01-01T00:00:00.000Z', '0'), range)).toBe(true);
    expect(within(markerRowKey('9999-12-31T23:59:59.999Z', 'ffff'), range)).toBe(true);
    expect(within(fileRowKey('2026-12-06T00:00:00.000Z', 'a'), range)).toBe(false);
    expect(within(dayRowKey('20261206'), range)).toBe(false);
    expect(within('~~q', range)).toBe(false);
  });

  test('a file range is [from, to) by receive time', () => {
    const range = fileRange(new Date('2026-12-06T00:00:00Z'), new Date('2026-12-07T00:00:00Z'));
    expect(within(fileRowKey('2026-12-06T00:00:00.000Z', 'a'), range)).toBe(true);
    expect(within(fileRowKey('2026-12-06T23:59:59.999Z', 'f'), range)).toBe(true);
    expect(within(fileRowKey('2026-12-07T00:00:00.000Z', 'a'), range)).toBe(false);
    expect(within(fileRowKey('2026-12-05T23:59:59.999Z', 'f'), range)).toBe(false);
    expect(within(markerRowKey('2026-12-06T12:00:00.000Z', 'a'), range)).toBe(false);
  });

  test('a day range holds both end days and nothing beyond', () => {
    const range = dayRange('20261201', '20261231');
    expect(['20261201', '20261215', '20261231'].map((d) => within(dayRowKey(d), range))).toEqual([
      true,
      true,
      true,
    ]);
    expect(['20261130', '20270101'].map((d) => within(dayRowKey(d), range))).toEqual([false, false]);
  });
});

describe('day rollups', () => {
  const hour = (iso: string) => Date.parse(iso) / 3_600_000;

  test('readings go to their day and hour, one file per hour it touches', () => {
    const { days, truncated } = contributionOf(
      { summaryVersion: 1, readings: 5, readingHours: '2026120523:2,2026120600:3' },
      '2026-12-06T01:00:00Z',
    );
    expect(truncated).toBe(false);
    expect([...days]).toEqual([
      ['20261205', new Map([[23, { readings: 2, files: 1, untimed: 0 }]])],
      ['20261206', new Map([[0, { readings: 3, files: 1, untimed: 0 }]])],
    ]);
  });

  test('a file without reading times counts in the hour it arrived; one with zero readings counts nowhere', () => {
    expect([...contributionOf(undefined, '2026-12-06T07:45:00Z').days]).toEqual([
      ['20261206', new Map([[7, { readings: 0, files: 0, untimed: 1 }]])],
    ]);
    expect([...contributionOf({ summaryVersion: 1 }, '2026-12-06T07:45:00Z').days]).toHaveLength(1);
    expect(contributionOf({ summaryVersion: 1, readings: 0 }, '2026-12-06T07:45:00Z').days.size).toBe(0);
  });

  test(`a file over more than ${MAX_ROLLUP_DAYS_PER_FILE} days keeps its first days and says so`, () => {
    const labels = Array.from(
      { length: MAX_ROLLUP_DAYS_PER_FILE + 1 },
      (_, d) => `${new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10).replace(/-/g, '')}08:1`,
    );
    const { days, truncated } = contributionOf(
      { summaryVersion: 1, readings: labels.length, readingHours: labels.join(',') },
      '2026-12-06T00:00:00Z',
    );
    expect(truncated).toBe(true);
    expect(days.size).toBe(MAX_ROLLUP_DAYS_PER_FILE);
    expect(days.has('20260101')).toBe(true);
    expect(days.has(labels.at(-1)!.slice(0, 8))).toBe(false);
    const exactly = contributionOf(
      { summaryVersion: 1, readings: 60, readingHours: labels.slice(0, MAX_ROLLUP_DAYS_PER_FILE).join(',') },
      '2026-12-06T00:00:00Z',
    );
    expect(exactly.truncated).toBe(false);
  });

  test('adding sums every counter per hour and keeps other hours and days', () => {
    const into = new Map([['20261206', new Map([[8, { readings: 1, files: 1, untimed: 0 }]])]]);
    addDays(
      into,
      new Map([
        [
          '20261206',
          new Map([
            [8, { readings: 2, files: 1, untimed: 3 }],
            [9, { readings: 4, files: 1, untimed: 0 }],
          ]),
        ],
        ['20261207', new Map([[0, { readings: 5, files: 2, untimed: 1 }]])],
      ]),
    );
    expect([...into.get('20261206')!]).toEqual([
      [8, { readings: 3, files: 2, untimed: 3 }],
      [9, { readings: 4, files: 1, untimed: 0 }],
    ]);
    expect([...into.get('20261207')!]).toEqual([[0, { readings: 5, files: 2, untimed: 1 }]]);
  });

  test('the `hours` property round-trips, in hour order, two-digit hours', () => {
    const hours = new Map([
      [13, { readings: 10, files: 2, untimed: 0 }],
      [4, { readings: 0, files: 0, untimed: 1 }],
    ]);
    expect(formatHours(hours)).toBe('04:0:0:1,13:10:2:0');
    expect([...parseHours('04:0:0:1,13:10:2:0')]).toEqual([...hours].sort(([a], [b]) => a - b));
    expect(parseHours('').size).toBe(0);
    expect(parseHours(undefined).size).toBe(0);
  });

  test('days and hours of the epoch count convert both ways, before 1970 too', () => {
    expect(dayOfHour(hour('2026-12-06T23:00:00Z'))).toBe('20261206');
    expect(dayOfHour(hour('1969-12-31T23:00:00Z'))).toBe('19691231');
    expect([
      ...contributionOf(
        { summaryVersion: 1, readings: 1, readingHours: '1969123123:1' },
        '2026-12-06T00:00:00Z',
      ).days,
    ]).toEqual([['19691231', new Map([[23, { readings: 1, files: 1, untimed: 0 }]])]]);
  });
});
