import { propertyRuns } from '../helpers/propertyRuns';
import fc from 'fast-check';
import { daysFromEpoch, timestampMs } from '../../shared/timestampMs';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Timestamps in and around the form read in place, every field ranging past its bounds. */
const timestamp = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 99, 100, 1969, 1970, 2000, 2100)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    separator: fc.constantFrom('T', 'T', 'T', 't', ' ', 'x'),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.oneof(fc.constant(''), fc.constant('.'), fc.stringMatching(/^\.[0-9]{1,12}$/)),
    zone: fc.oneof(
      fc.constantFrom('Z', 'Z', 'z', '', '+05', '+0530', 'Z ', '+05:30:00'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
        .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
    ),
  })
  .map(
    (f) =>
      `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}${f.separator}` +
      `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${f.fraction}${f.zone}`,
  );

/** Real instants written the way gateways and Date#toISOString write them. */
const isoInstant = fc
  .date({
    min: new Date('0000-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

const sameAsDateParse = (text: string) => Object.is(timestampMs(text), Date.parse(text));

describe('timestampMs is Date.parse', () => {
  test('on timestamps in and around the form it reads in place', () => {
    fc.assert(fc.property(timestamp, sameAsDateParse), { numRuns: propertyRuns(30_000) });
  });

  test('on every instant of years 0000-9999 as toISOString writes it', () => {
    fc.assert(fc.property(isoInstant, sameAsDateParse), { numRuns: propertyRuns(10_000) });
  });

  test('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), sameAsDateParse), { numRuns: propertyRuns(5_000) });
  });

  test.each([
    ['2026-11-25T08:10:00Z', 1_795_594_200_000],
    ['2026-11-25T08:10:00.5Z', 1_795_594_200_500],
    ['2026-11-25T08:10:00.05Z', 1_795_594_200_050],
    ['2026-11-25T08:10:00.123999Z', 1_795_594_200_123],
    ['2026-11-25T09:40:00+01:30', 1_795_594_200_000],
    ['2026-11-25T06:40:00-01:30', 1_795_594_200_000],
    ['2026-11-25T08:10:00-00:00', 1_795_594_200_000],
    ['1970-01-01T00:00:00Z', 0],
    ['1969-12-31T23:59:59.999Z', -1],
    ['0000-01-01T00:00:00Z', -62_167_219_200_000],
    ['0099-12-31T00:00:00Z', -59_011_545_600_000],
    ['9999-12-31T23:59:59.999Z', 253_402_300_799_999],
    ['2024-02-29T00:00:00Z', 1_709_164_800_000],
  ])('%s -> %d', (text, ms) => {
    expect(timestampMs(text)).toBe(ms);
    expect(Date.parse(text)).toBe(ms);
  });

  test.each([
    // Outside the form read in place: Date.parse's own answers, whatever they are.
    ['2016-12-31T23:59:60Z', NaN],
    ['2026-11-25T08:10:00+05', NaN],
    ['2026-11-25T08:10:00.Z', NaN],
    ['2026-11-25t08:10:00z', 1_795_594_200_000],
    ['2026-11-25 08:10:00Z', 1_795_594_200_000],
    ['2026-02-30T00:00:00Z', Date.parse('2026-03-02T00:00:00Z')],
    ['2026-11-25T24:00:00Z', Date.parse('2026-11-26T00:00:00Z')],
    ['2026-11-25T08:10:00+24:00', NaN],
    // Past 9 fraction digits V8 drops leading zeros before it counts: .0001000000 is 1 ms.
    ['2026-11-25T08:10:00.0001000000Z', 1_795_594_200_001],
    ['2026-11-25T08:10:00.000100000Z', 1_795_594_200_000],
  ])('%s -> %d (as Date.parse)', (text, ms) => {
    expect(timestampMs(text)).toBe(ms);
    expect(Date.parse(text)).toBe(ms);
  });
});

describe('daysFromEpoch', () => {
  test.each([
    [1970, 1, 1, 0],
    [1970, 1, 2, 1],
    [1969, 12, 31, -1],
    [2000, 2, 29, 11_016],
    [2000, 3, 1, 11_017],
    [1900, 3, 1, -25_508],
    [0, 1, 1, -719_528],
    [0, 3, 1, -719_468],
    [9999, 12, 31, 2_932_896],
  ])('%d-%d-%d -> %d', (year, month, day, days) => {
    expect(daysFromEpoch(year, month, day)).toBe(days);
    expect(Date.parse(`${pad(year, 4)}-${pad(month)}-${pad(day)}T00:00:00Z`) / 86_400_000).toBe(days);
  });
});

describe('the form read in place never reaches Date.parse', () => {
  afterEach(() => jest.restoreAllMocks());

  // Each field at its bounds, both offset signs, fractions of 1 to 9 digits: the gateways' forms.
  test.each([
    ['2026-11-25T08:10:00Z', 1_795_594_200_000],
    ['0000-01-01T00:00:00Z', -62_167_219_200_000],
    ['9999-12-31T23:59:59.999999999Z', 253_402_300_799_999],
    ['2024-02-29T00:00:00.1Z', 1_709_164_800_100],
    ['2026-01-31T00:00:00+23:59', Date.UTC(2026, 0, 30, 0, 1)],
    ['2026-12-31T23:59:59-23:59', Date.UTC(2027, 0, 1, 23, 58, 59)],
    ['2026-04-30T12:00:00.12+00:00', Date.UTC(2026, 3, 30, 12, 0, 0, 120)],
  ])('%s -> %d', (text, ms) => {
    const parse = jest.spyOn(Date, 'parse');
    expect(timestampMs(text)).toBe(ms);
    expect(parse).not.toHaveBeenCalled();
  });

  test.each([
    '2026-11-25T08:10:00.Z',
    '2026-11-25T08:10:00.0000000001Z',
    '2026-11-25t08:10:00Z',
    '2026-11-25T08:10:00z',
    '2026-11-25T08:10:00+05',
    '2026-11-25T08:10:00+0530',
    '2026-11-25T08:10:00+05:30:00',
    '2026-11-25T08:10:00*05:30',
    '2026-11-25T08:10:00+05-30',
    '2026-11-25T08:10:00Z ',
    '2026-11-25T08:10:60Z',
    '2026-11-25T08:60:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T08:10:00+24:00',
    '2026-11-25T08:10:00+05:60',
    '2026-11-31T08:10:00Z',
    '2026-13-01T08:10:00Z',
    '2026-00-01T08:10:00Z',
    '2026-11-00T08:10:00Z',
    '2026/11/25T08:10:00Z',
    '2026-11/25T08:10:00Z',
    '2026-11-25T08.10:00Z',
    '2026-11-25T08:10.00Z',
    '2026-11-25T08:1a:00Z',
    '2026-11-25T08:10:00',
  ])('%s goes to Date.parse', (text) => {
    const parse = jest.spyOn(Date, 'parse');
    timestampMs(text);
    expect(parse).toHaveBeenCalledWith(text);
  });
});
