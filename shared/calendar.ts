/**
 * Calendar facts and digit runs that both timestamp readers use: the `date-time` format check
 * (validation/dateTime.ts) and the in-place Date.parse (timestampMs.ts).
 */

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Leap years of the proleptic Gregorian calendar. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The days of `month` (1-12) in `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month]!;
}

/** The index after the run of ASCII digits starting at `at`. */
export function digitsEnd(text: string, at: number): number {
  let end = at;
  for (let c = text.charCodeAt(end); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++end));
  return end;
}
