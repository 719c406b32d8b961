import { daysInMonth, digitsEnd } from './calendar';

/**
 * `Date.parse(text)`, computed in place for the timestamps gateways write: `YYYY-MM-DDThh:mm:ss`, an
 * optional fraction of up to 9 digits, and `Z` or a `±hh:mm` offset, every field in its range.
 * Everything else (lower case, a space for the `T`, leap seconds, `+hh` offsets, out-of-range fields,
 * longer fractions: Date.parse reads those in ways of its own) goes to Date.parse itself, so the
 * result is Date.parse's for every string (test/unit/timestampMs.test.ts compares them). Date.parse
 * per reading was most of the summary's ~1.8 ms on a 10,000-reading file (docs/PERFORMANCE.md).
 */
export function timestampMs(text: string): number {
  const ms = canonicalMs(text);
  return ms === undefined ? Date.parse(text) : ms;
}

const MS_PER_DAY = 86_400_000;

/** Undefined when `text` is not in the one form read here. */
function canonicalMs(text: string): number | undefined {
  if (text.length < 20 || text.charCodeAt(10) !== 0x54 /* T */) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (!isDate(year, month, day) || !inRange(hour, 23) || !inRange(minute, 59) || !inRange(second, 59))
    return undefined;
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  if (text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return undefined;
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === 0x2e /* . */) {
    const end = digitsEnd(text, at + 1);
    // Past 9 digits Date.parse counts leading zeros oddly (.0001000000 is 1 ms): its business.
    if (end === at + 1 || end > at + 10) return undefined;
    // Date.parse keeps milliseconds and drops finer digits: .5 is 500, .1239 is 123.
    for (let i = at + 1; i < at + 4; i++) millis = millis * 10 + (i < end ? text.charCodeAt(i) - 0x30 : 0);
    at = end;
  }
  const offset = offsetMinutes(text, at);
  if (offset === undefined) return undefined;
  const time = ((hour * 60 + minute - offset) * 60 + second) * 1000 + millis;
  return daysFromEpoch(year, month, day) * MS_PER_DAY + time;
}

/** `Z` or `±hh:mm` from `at` to the end, in minutes east of UTC; undefined for anything else. */
function offsetMinutes(text: string, at: number): number | undefined {
  const rest = text.length - at;
  const sign = text.charCodeAt(at);
  if (sign === 0x5a /* Z */) return rest === 1 ? 0 : undefined;
  if (rest !== 6 || (sign !== 0x2b /* + */ && sign !== DASH) || text.charCodeAt(at + 3) !== COLON)
    return undefined;
  const hours = digits(text, at + 1, 2);
  const minutes = digits(text, at + 4, 2);
  if (!inRange(hours, 23) || !inRange(minutes, 59)) return undefined;
  return (sign === DASH ? -1 : 1) * (hours * 60 + minutes);
}

function isDate(year: number, month: number, day: number): boolean {
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil): plain arithmetic, where Date.UTC would read years 0-99 as 1900-1999.
 */
export function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DASH = 0x2d;
const COLON = 0x3a;

/** 0 to `max`; `digits` gives -1 for a field that is not all digits. */
function inRange(value: number, max: number): boolean {
  return value >= 0 && value <= max;
}

/** The `count` ASCII digits at `at` as a number, or -1 when any is not one. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}
