import {
  HourTally,
  MAX_SUMMARY_HOURS,
  parseReadingHours,
  storedSummary,
  summarizeReadings,
  summaryEntityFields,
  summaryMetadata,
} from '../../shared/readingSummary';
import { forEachValueAt, valuesAt } from '../../shared/validation/modelProfile';

const oil = { readingTimes: '/readings/*/timestamp', sentAt: '/sentAt' };
const at = (iso: string) => ({ timestamp: iso, oilTemperatureC: 80 });

describe('valuesAt: a pointer whose * stands for each array element, or the value itself', () => {
  test.each([
    [{ readings: [{ t: 1 }, { t: 2 }] }, '/readings/*/t', [1, 2]],
    [{ readings: { t: 1 } }, '/readings/*/t', [1]],
    [{ readings: [{ t: 1 }, { u: 2 }] }, '/readings/*/t', [1]],
    [{ a: { 'b/c': 3 } }, '/a/b~1c', [3]],
    [{ a: 1 }, '/missing/*/t', []],
    [[{ t: 1 }], '/*/t', [1]],
  ])('%j %s -> %j', (doc, pointer, values) => {
    expect(valuesAt(doc, pointer)).toEqual(values);
  });
});

describe('forEachValueAt: the same values as valuesAt, in document order, without the arrays', () => {
  test('nested stars visit depth first, nulls included, missing keys skipped', () => {
    const doc = { a: [{ b: [1, null] }, { c: 9 }, { b: 3 }, { b: [[4]] }] };
    const seen: unknown[] = [];
    forEachValueAt(doc, '/a/*/b/*', (value) => seen.push(value));
    expect(seen).toEqual([1, null, 3, [4]]);
    expect(valuesAt(doc, '/a/*/b/*')).toEqual(seen);
  });

  test('the root pointer visits the document; an inherited key is not a value', () => {
    const seen: unknown[] = [];
    forEachValueAt({ x: 1 }, '', (value) => seen.push(value));
    forEachValueAt({ x: 1 }, '/toString', (value) => seen.push(value));
    forEachValueAt({ 'a~b': 2 }, '/a~0b', (value) => seen.push(value));
    expect(seen).toEqual([{ x: 1 }, 2]);
  });
});

describe('HourTally', () => {
  const hour = 3_600_000;

  test('counts per hour from the epoch, in hour order, whatever the order of the readings', () => {
    const tally = new HourTally();
    for (const ms of [hour - 1, hour, 2 * hour + 5, hour + 1, -1, 0]) tally.add(ms);
    expect(tally.hours()).toEqual([
      [-1, 1],
      [0, 2],
      [1, 2],
      [2, 1],
    ]);
    expect([tally.readings, tally.first, tally.last]).toEqual([6, -1, 2 * hour + 5]);
  });

  test('NaN is not a reading; hours() can be read twice; nothing counted is nothing', () => {
    const tally = new HourTally();
    expect(tally.hours()).toEqual([]);
    tally.add(NaN);
    tally.add(5 * hour);
    tally.add(5 * hour);
    expect(tally.hours()).toEqual([[5, 2]]);
    expect(tally.hours()).toEqual([[5, 2]]);
    tally.add(5 * hour + 1);
    expect(tally.hours()).toEqual([[5, 3]]);
    expect([tally.readings, tally.first, tally.last]).toEqual([3, 5 * hour, 5 * hour + 1]);
  });
});

describe('summarizeReadings', () => {
  test('counts readings per UTC hour, first and last, in hour order, whatever the file order', () => {
    const payload = {
      sentAt: '2026-11-25T10:00:30+02:00',
      readings: [
        at('2026-11-25T09:59:59Z'),
        at('2026-11-25T08:00:00Z'),
        at('2026-11-25T09:00:00+01:00'),
        at('2026-11-25T09:30:00Z'),
      ],
    };
    expect(summarizeReadings(oil, payload)).toEqual({
      readings: 4,
      firstReadingAt: '2026-11-25T08:00:00.000Z',
      lastReadingAt: '2026-11-25T09:59:59.000Z',
      // 09:00+01:00 is 08:00Z.
      readingHours: '2026112508:2,2026112509:2',
      sentAt: '2026-11-25T10:00:30+02:00',
    });
  });

  test('one reading as an object, and a file without readings', () => {
    expect(summarizeReadings(oil, { readings: at('2026-11-25T23:59:59.999Z') })).toMatchObject({
      readings: 1,
      readingHours: '2026112523:1',
    });
    expect(summarizeReadings(oil, { readings: [] })).toEqual({ readings: 0, sentAt: undefined });
  });

  test('sentAt is the first value its pointer reaches, and only a date string', () => {
    const sentAt = (value: unknown) => summarizeReadings(oil, { sentAt: value, readings: [] })?.sentAt;
    expect(sentAt('2026-11-25T10:00:30Z')).toBe('2026-11-25T10:00:30Z');
    expect(sentAt('2016-12-31T23:59:60Z')).toBeUndefined(); // Date.parse does not read leap seconds
    expect(sentAt(null)).toBeUndefined();
    expect(sentAt(1_795_594_200_000)).toBeUndefined();
    const first = { readingTimes: '/r/*', sentAt: '/s/*' };
    expect(summarizeReadings(first, { r: [], s: [null, '2026-11-25T10:00:30Z'] })?.sentAt).toBeUndefined();
  });

  test('reading times that are no dates are not readings', () => {
    const payload = { readings: [at('2026-11-25T08:00:00Z'), { timestamp: 7 }, at('not a time')] };
    expect(summarizeReadings(oil, payload)).toMatchObject({ readings: 1, readingHours: '2026112508:1' });
  });

  test('a model without reading times gives no summary: its files count as files', () => {
    expect(summarizeReadings({}, { readings: [at('2026-11-25T08:00:00Z')] })).toBeUndefined();
    expect(summarizeReadings(undefined, {})).toBeUndefined();
  });

  test(`more than ${MAX_SUMMARY_HOURS} distinct hours keeps the first ones and says so`, () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const readings = Array.from({ length: MAX_SUMMARY_HOURS + 5 }, (_, h) =>
      at(new Date(start + h * 3_600_000).toISOString()),
    );
    const summary = summarizeReadings(oil, { readings })!;
    expect(summary.readings).toBe(MAX_SUMMARY_HOURS + 5);
    expect(summary.readingHours!.split(',')).toHaveLength(MAX_SUMMARY_HOURS);
    expect(summary.readingHoursTruncated).toBe(true);
  });

  test('readingHours reads back as (hour, count) pairs', () => {
    expect(parseReadingHours('2026112508:2,2026112509:60')).toEqual([
      [Date.parse('2026-11-25T08:00:00Z') / 3_600_000, 2],
      [Date.parse('2026-11-25T09:00:00Z') / 3_600_000, 60],
    ]);
  });
});

describe('storedSummary and its blob metadata', () => {
  test('the clock offset is sentAt minus the receive time, positive when the device runs ahead', () => {
    const summary = summarizeReadings(oil, {
      sentAt: '2026-11-25T11:00:00Z',
      readings: [at('2026-11-25T08:10:00Z')],
    });
    const stored = storedSummary(summary, new Date('2026-11-25T08:15:00Z'));
    expect(stored).toMatchObject({ summaryVersion: 1, clockOffsetSeconds: 9900 });
    expect(summaryMetadata(stored)).toEqual({
      readings: '1',
      firstreadingat: '2026-11-25T08:10:00.000Z',
      lastreadingat: '2026-11-25T08:10:00.000Z',
      sentat: '2026-11-25T11:00:00Z',
      clockoffsetseconds: '9900',
    });
  });

  test('no sentAt, no offset; no summary, no metadata', () => {
    expect(storedSummary(summarizeReadings(oil, { readings: [] }), new Date())).toEqual({
      summaryVersion: 1,
      readings: 0,
      sentAt: undefined,
    });
    expect(summaryMetadata(storedSummary(undefined, new Date()))).toEqual({});
  });
});

describe('summaries: edges', () => {
  test('values at the reading-time pointer that are not times are not readings', () => {
    const payload = {
      readings: [at('2026-11-25T08:00:00Z'), at('yesterday'), { timestamp: 42 }, { timestamp: null }],
    };
    expect(summarizeReadings(oil, payload)).toMatchObject({ readings: 1, readingHours: '2026112508:1' });
  });

  test('a sentAt that is not a time is left out', () => {
    expect(summarizeReadings(oil, { sentAt: 'soon', readings: [] })).toEqual({
      readings: 0,
      sentAt: undefined,
    });
    // A number is no time, even one Date.parse would read as a year.
    expect(summarizeReadings(oil, { sentAt: 2026, readings: [] })).toEqual({
      readings: 0,
      sentAt: undefined,
    });
  });

  test(`exactly ${MAX_SUMMARY_HOURS} distinct hours are all kept, without the truncation flag`, () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const readings = Array.from({ length: MAX_SUMMARY_HOURS }, (_, h) =>
      at(new Date(start + h * 3_600_000).toISOString()),
    );
    const summary = summarizeReadings(oil, { readings })!;
    expect(summary.readingHours!.split(',')).toHaveLength(MAX_SUMMARY_HOURS);
    expect(summary).not.toHaveProperty('readingHoursTruncated');
  });

  test('without sentAt the stored summary has no clock offset property at all, nor its metadata', () => {
    const stored = storedSummary(
      summarizeReadings(oil, { readings: [at('2026-11-25T08:10:00Z')] }),
      new Date(),
    );
    expect(stored).not.toHaveProperty('clockOffsetSeconds');
    expect(summaryMetadata(stored)).toStrictEqual({
      readings: '1',
      firstreadingat: '2026-11-25T08:10:00.000Z',
      lastreadingat: '2026-11-25T08:10:00.000Z',
    });
  });

  test('a file without readings has only the count in its metadata; a zero offset is kept', () => {
    const stored = storedSummary(
      summarizeReadings(oil, { sentAt: '2026-11-25T08:15:00Z', readings: [] }),
      new Date('2026-11-25T08:15:00Z'),
    );
    // Strictly: a metadata key without a value would still be sent.
    expect(summaryMetadata(stored)).toStrictEqual({
      readings: '0',
      sentat: '2026-11-25T08:15:00Z',
      clockoffsetseconds: '0',
    });
  });

  test('readingHours of nothing is no pairs', () => {
    expect([parseReadingHours(undefined), parseReadingHours('')]).toEqual([[], []]);
  });

  test('summaryEntityFields (coverage --rebuild) gives what an entry written today carries', () => {
    const payload = { sentAt: '2026-11-25T08:15:02Z', readings: [at('2026-11-25T08:10:00Z')] };
    const receivedAt = new Date('2026-11-25T08:15:00Z');
    expect(summaryEntityFields(oil, payload, receivedAt)).toEqual({
      summaryVersion: 1,
      readings: 1,
      firstReadingAt: '2026-11-25T08:10:00.000Z',
      lastReadingAt: '2026-11-25T08:10:00.000Z',
      readingHours: '2026112508:1',
      sentAt: '2026-11-25T08:15:02Z',
      clockOffsetSeconds: 2,
    });
  });

  test('an old entry without a reading count has no metadata', () => {
    expect(summaryMetadata({ summaryVersion: 1 })).toEqual({});
    expect(summaryMetadata(undefined)).toEqual({});
  });
});
