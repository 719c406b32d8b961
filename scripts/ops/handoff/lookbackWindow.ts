/**
 * Which prefixes a sync lists. A file's blob name carries the day it was FIRST received, but the
 * blob can appear later (a gateway's retry after a failed write), so "new since the last run" is
 * not "the days since the last run": it is every day from the last run's start minus the lookback
 * (how long a gateway may keep retrying, DATA_CONTRACT.md#late-files) up to today.
 */
const DAY_MS = 86_400_000;
/** The blob names use the server's clock, the window this machine's: an hour covers any sane skew. */
const CLOCK_SKEW_MS = 3_600_000;

/** `{deviceId}/{yyyy}/{MM}/{dd}/` for every UTC day from `from` to `to`, oldest first. */
export function dayPrefixes(deviceId: string, from: Date, to: Date): string[] {
  const prefixes: string[] = [];
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let day = first; day <= to.getTime(); day += DAY_MS) {
    prefixes.push(`${deviceId}/${new Date(day).toISOString().slice(0, 10).replace(/-/g, '/')}/`);
  }
  return prefixes;
}

/**
 * The prefixes to list for one device. Never listed before (or `full`): its whole prefix, once.
 * Otherwise the day prefixes from `listedAt - lookbackDays` (the start of the last run that listed
 * this device completely; an hour earlier for clock skew) to `now`.
 */
export function prefixesToList(
  deviceId: string,
  listedAt: string | undefined,
  lookbackDays: number,
  now: Date,
  full = false,
): string[] {
  if (full || listedAt === undefined) return [`${deviceId}/`];
  const from = Date.parse(listedAt) - lookbackDays * DAY_MS - CLOCK_SKEW_MS;
  return dayPrefixes(deviceId, new Date(from), now);
}

/** The UTC day a contract blob name was first received on, or undefined for any other name. */
export function dayOfBlobName(name: string): number | undefined {
  const match = /^[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/.exec(name);
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
}

export { DAY_MS };
