/**
 * ISO 8601 dates and date-times, read as UTC unless they carry an offset: one rule for every time an
 * operator types (`--from`) or a historian exports. `Date.parse` reads a date-time without an offset
 * in the process's time zone, so the same command would mean another hour on another machine.
 */

// YYYY-MM-DD, optionally T or space, hh:mm, optionally :ss and a fraction, optionally Z or ±hh[:]mm.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Milliseconds since the epoch, or undefined when the text is not such a date or date-time. */
export function parseUtcInstant(text: string): number | undefined {
  const match = ISO_INSTANT.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  if (zone !== undefined && match[4] === undefined) return undefined; // an offset needs a time
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  const [m, d, h, min, s] = fields as [number, number, number, number, number];
  const utc = Date.UTC(Number(year), m - 1, d, h, min, s);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not exist is not a date.
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== Number(year) ||
    back.getUTCMonth() !== m - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    min > 59 ||
    s > 59
  )
    return undefined;
  return utc + Math.floor(Number(`0${fraction || '.0'}`) * 1000) - offsetMs(zone);
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return (zone.startsWith('-') ? -1 : 1) * minutes * 60_000;
}
