import { daysInMonth, digitsEnd } from '../calendar';

/**
 * JSON Schema's `date-time` (RFC 3339 section 5.6), accepting exactly what ajv-formats' full mode
 * accepts (`fullFormats['date-time']`, v3), so swapping it in changes no verdict: the property test
 * (test/unit/dateTime.test.ts) compares the two on generated strings. It reads the characters in
 * place instead of splitting the string and running two regular expressions over the parts, which
 * made several small strings per timestamp and took about a quarter of the host's CPU on a
 * 10,000-reading file (docs/PERFORMANCE.md's profile).
 *
 * Full mode's grammar, as its code has it:
 *   `YYYY-MM-DD`, one separator (`T`, `t`, or any character JavaScript's `\s` matches), then
 *   `hh:mm:ss`, an optional fraction `.d+`, and a required zone: `Z`, `z`, or `+hh`, `+hhmm`,
 *   `+hh:mm` (or `-`), with hh <= 23 and mm <= 59 in the offset. Month 1-12, day within its month
 *   (29 February in leap years). A time with hour <= 23, minute <= 59 and second < 60 is valid;
 *   any other is valid only as a leap second: 23:59 UTC once the offset is taken off, second < 61.
 */
export function isDateTime(text: string): boolean {
  return text.length >= 20 && isDate(text) && isSeparator(text.charCodeAt(10)) && isTime(text, 11);
}

/** `YYYY-MM-DD` at the start of `text`, a real day of the proleptic Gregorian calendar. */
function isDate(text: string): boolean {
  const century = digits2(text, 0);
  const yearOfCentury = digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  if (century < 0 || yearOfCentury < 0 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH)
    return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(century * 100 + yearOfCentury, month);
}

/** `t`, `T`, or a character of JavaScript's `\s` (what full mode splits the string on). */
export function isSeparator(code: number): boolean {
  if (code === 0x54 || code === 0x74) return true;
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** `hh:mm:ss[.d+]` and a zone from `at` to the end of `text`. */
function isTime(text: string, at: number): boolean {
  const hour = digits2(text, at);
  const minute = digits2(text, at + 3);
  const second = digits2(text, at + 6);
  if (hour < 0 || minute < 0 || second < 0) return false;
  if (text.charCodeAt(at + 2) !== COLON || text.charCodeAt(at + 5) !== COLON) return false;
  let end = at + 8;
  if (text.charCodeAt(end) === DOT) {
    end = digitsEnd(text, end + 1);
    if (end === at + 9) return false;
  }
  const zone = zoneOffset(text, end);
  if (zone === undefined) return false;
  // Only a fraction on 59 or 60 can reach the next whole second when read as a number, as full mode
  // reads it (59.99999999999999999 is 60).
  const seconds = second >= 59 && end > at + 8 ? Number(text.slice(at + 6, end)) : second;
  if (hour <= 23 && minute <= 59 && seconds < 60) return true;
  return isLeapSecond(hour, minute, seconds, zone);
}

/** A zone from `at` to the end: minutes east of UTC, or undefined when it is not one. */
function zoneOffset(text: string, at: number): number | undefined {
  const sign = text.charCodeAt(at);
  const rest = text.length - at;
  if (sign === 0x5a /* Z */ || sign === 0x7a /* z */) return rest === 1 ? 0 : undefined;
  if (sign !== PLUS && sign !== MINUS) return undefined;
  const hours = digits2(text, at + 1);
  let minutes = 0;
  if (rest === 5) minutes = digits2(text, at + 3);
  else if (rest === 6 && text.charCodeAt(at + 3) === COLON) minutes = digits2(text, at + 4);
  else if (rest !== 3) return undefined;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  return (sign === MINUS ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Full mode's leap-second rule: 23:59 in UTC (the offset's minutes may borrow an hour), second < 61.
 * Its arithmetic is kept as it is, fields beyond their ranges included (24:59:30+01:00 passes).
 */
function isLeapSecond(hour: number, minute: number, seconds: number, zone: number): boolean {
  const sign = zone < 0 ? -1 : 1;
  const zoneHours = Math.floor(Math.abs(zone) / 60);
  const zoneMinutes = Math.abs(zone) % 60;
  const utcMinute = minute - zoneMinutes * sign;
  const utcHour = hour - zoneHours * sign - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && seconds < 61;
}

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;

/** The two ASCII digits at `at` as a number, or -1. */
function digits2(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 0x30;
  const ones = text.charCodeAt(at + 1) - 0x30;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}
