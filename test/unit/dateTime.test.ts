import { propertyRuns } from '../helpers/propertyRuns';
import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats';
import { isLeapYear } from '../../shared/calendar';
import { isDateTime, isSeparator } from '../../shared/validation/dateTime';

/** The reference: ajv-formats' full-mode `date-time`, which the schemas used before. */
const fullMode = (fullFormats['date-time'] as { validate: (text: string) => boolean }).validate;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Every character JavaScript's `\s` matches, plus near misses. */
const WHITESPACE = [
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  ' ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2005',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
];
const NOT_SEPARATORS = [
  '\u0008',
  '\u000e',
  '\u001f',
  '!',
  '\u0085',
  '\u009f',
  '\u180e',
  '\u200b',
  'x',
  '_',
  '',
];

/** Timestamps built field by field, each field ranging past its bounds, every zone form. */
const fields = fc.record({
  year: fc.integer({ min: 0, max: 9999 }),
  month: fc.integer({ min: 0, max: 14 }),
  day: fc.integer({ min: 0, max: 33 }),
  separator: fc.constantFrom('T', 't', ...WHITESPACE, ...NOT_SEPARATORS, 'TT', 'T '),
  hour: fc.oneof(fc.integer({ min: 0, max: 26 }), fc.constantFrom(23, 0, 24, 99)),
  minute: fc.oneof(fc.integer({ min: 0, max: 61 }), fc.constantFrom(59, 0, 60, 99)),
  second: fc.oneof(fc.integer({ min: 0, max: 62 }), fc.constantFrom(59, 60, 61, 99)),
  fraction: fc.oneof(
    fc.constant(''),
    fc.constant('.'),
    fc.stringMatching(/^\.[0-9]{1,4}$/),
    // Enough nines to round up to the next whole second when read as a number.
    fc.integer({ min: 14, max: 22 }).map((n) => `.${'9'.repeat(n)}`),
  ),
  zone: fc.oneof(
    fc.constantFrom('Z', 'z', '', 'UTC', 'Z ', '+', '-'),
    fc
      .record({
        sign: fc.constantFrom('+', '-', '\u2212'),
        hours: fc.oneof(fc.integer({ min: 0, max: 25 }), fc.constantFrom(0, 1, 23, 24)),
        minutes: fc.oneof(fc.integer({ min: 0, max: 61 }), fc.constantFrom(0, 1, 59, 60)),
        form: fc.constantFrom('hh', 'hhmm', 'hh:mm', 'hh:m', 'hhm', 'h', 'hh:mm:ss'),
      })
      .map(({ sign, hours, minutes, form }) => {
        const h = pad(hours);
        const m = pad(minutes);
        const body = { hh: h, hhmm: h + m, 'hh:mm': `${h}:${m}`, 'hh:m': `${h}:${m[0]}`, hhm: h + m[0] };
        return (
          sign + (body[form as keyof typeof body] ?? (form === 'h' ? String(hours % 10) : `${h}:${m}:00`))
        );
      }),
  ),
});

const timestamp = fields.map(
  (f) =>
    `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}${f.separator}` +
    `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${f.fraction}${f.zone}`,
);

/** Around leap seconds: 23:59:60 somewhere, once the offset is taken off. */
const nearLeapSecond = fc
  .record({
    hour: fc.constantFrom(0, 1, 22, 23, 24, 25),
    minute: fc.constantFrom(0, 1, 58, 59, 60),
    second: fc.constantFrom(58, 59, 60, 61),
    fraction: fc.constantFrom('', '.5', '.999', '.9999999999999999', '.99999999999999999'),
    zone: fc.constantFrom(
      'Z',
      'z',
      '+00:00',
      '-00:00',
      '+01:00',
      '-01:00',
      '+00:01',
      '-00:01',
      '+01:01',
      '-23:59',
      '+23:59',
      '+0100',
      '-01',
    ),
  })
  .map((f) => `2016-12-31T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${f.fraction}${f.zone}`);

/** A timestamp with one character replaced, inserted or removed. */
const mutated = fc
  .tuple(
    timestamp,
    fc.nat(),
    fc.constantFrom('replace', 'insert', 'delete'),
    fc.constantFrom(...'0123456789-:.+TZtz x\u00e9\u0660\uff10'.split('')),
  )
  .map(([text, at, how, char]) => {
    const i = at % (text.length + 1);
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + char + text.slice(i + 1);
  });

const agrees = (text: string) => isDateTime(text) === fullMode(text);

describe('isDateTime accepts exactly what ajv-formats full mode accepts', () => {
  test('timestamps built field by field (every field past its bounds, every zone form)', () => {
    fc.assert(fc.property(timestamp, agrees), { numRuns: propertyRuns(30_000) });
  });

  test('around leap seconds, with offsets', () => {
    fc.assert(fc.property(nearLeapSecond, agrees), { numRuns: propertyRuns(5_000) });
  });

  test('timestamps with one character replaced, inserted or removed', () => {
    fc.assert(fc.property(mutated, agrees), { numRuns: propertyRuns(20_000) });
  });

  test('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), agrees), {
      numRuns: propertyRuns(10_000),
    });
  });

  test('the generators reach both verdicts, leap seconds included', () => {
    const verdicts = fc.sample(timestamp, { numRuns: 5_000, seed: 23 }).map(fullMode);
    const leap = fc.sample(nearLeapSecond, { numRuns: 2_000, seed: 23 }).filter(fullMode);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(100);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(100);
    expect(leap.filter((t) => !/T(0\d|1\d|2[0-3]):[0-5]\d:[0-5]\d/.test(t)).length).toBeGreaterThan(10);
  });
});

describe('isDateTime: the boundaries, one by one', () => {
  test.each([
    ['2026-11-25T08:10:00Z', true],
    ['2026-11-25t08:10:00z', true],
    ['2026-11-25 08:10:00Z', true],
    ['2026-11-25\u200908:10:00Z', true],
    ['2026-11-25\u200b08:10:00Z', false],
    ['2026-11-25T08:10:00', false],
    ['2026-11-25T08:10:00.Z', false],
    ['2026-11-25T08:10:00.123456789Z', true],
    ['2026-11-25T08:10:00,5Z', false],
    ['2026-11-25T08:10Z', false],
    ['2026-11-25T8:10:00Z', false],
    ['226-11-25T08:10:00Z', false],
    ['2026-1-25T08:10:00Z', false],
    ['+2026-11-25T08:10:00Z', false],
    ['2026-11-25T08:10:00Z ', false],
    [' 2026-11-25T08:10:00Z', false],
    ['2026-11-25TT08:10:00Z', false],
    ['2026/11/25T08:10:00Z', false],
    ['2026-11-25T08-10-00Z', false],
    ['0000-01-01T00:00:00Z', true],
    ['9999-12-31T23:59:59.999Z', true],
  ])('%j -> %s', (text, valid) => {
    expect(isDateTime(text)).toBe(valid);
    expect(fullMode(text)).toBe(valid);
  });

  test.each([
    // month and day
    ['2026-00-01', false],
    ['2026-01-00', false],
    ['2026-01-01', true],
    ['2026-01-31', true],
    ['2026-01-32', false],
    ['2026-04-30', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['2024-02-29', true],
    ['2024-02-30', false],
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2100-02-29', false],
  ])('date %s -> %s', (date, valid) => expect(isDateTime(`${date}T00:00:00Z`)).toBe(valid));

  test.each([
    // time fields
    ['23:59:59Z', true],
    ['24:00:00Z', false],
    ['23:60:00Z', false],
    ['12:00:60Z', false],
    ['12:00:59.5Z', true],
    ['12:00:59.99999999999999999Z', false], // reads as 60
    // leap seconds: 23:59:60 in UTC, second < 61
    ['23:59:60Z', true],
    ['23:59:60.999Z', true],
    ['23:59:60.99999999999999999Z', false], // reads as 61
    ['23:59:61Z', false],
    ['23:58:60Z', false],
    ['22:59:60Z', false],
    ['00:59:60+01:00', true],
    ['00:59:60+0100', true],
    ['00:59:60+01', true],
    ['22:59:60-01:00', true],
    ['23:59:60+01:00', false],
    ['00:00:60+00:01', true], // 23:59:60 of the day before, by full mode's arithmetic
    ['24:59:30+01:00', true], // out of range, yet 23:59 UTC: full mode lets it through
    ['23:60:00+00:01', true],
    // zones
    ['12:00:00+23:59', true],
    ['12:00:00+24:00', false],
    ['12:00:00+00:60', false],
    ['12:00:00-00:00', true],
    ['12:00:00+05:3', false],
    ['12:00:00+053', false],
    ['12:00:00+05:300', false],
    ['12:00:00+05:30Z', false],
    ['12:00:00Zz', false],
    ['12:00:00\u221205:00', false],
  ])('time %s -> %s', (time, valid) => {
    const text = `2016-12-31T${time}`;
    expect(isDateTime(text)).toBe(valid);
    expect(fullMode(text)).toBe(valid);
  });
});

describe('parts', () => {
  test.each([
    [1600, true],
    [1700, false],
    [2000, true],
    [2023, false],
    [2024, true],
    [2100, false],
    [0, true],
    [4, true],
  ])('leap year %d -> %s', (year, leap) => expect(isLeapYear(year)).toBe(leap));

  test('separators are t, T and exactly the characters of \\s', () => {
    const separators: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (isSeparator(code)) separators.push(code);
    const expected: number[] = [];
    for (let code = 0; code <= 0xffff; code++)
      if (/^(?:t|\s)$/i.test(String.fromCharCode(code))) expected.push(code);
    expect(separators).toEqual(expected);
    expect(separators).toHaveLength(27);
  });
});
