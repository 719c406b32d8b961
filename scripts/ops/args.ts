/**
 * The option parsers and shared options of every ops subcommand. A value a parser refuses is
 * commander's usage error: the message names the option and the value, and the CLI exits 64 before
 * anything is read or written. Rules that involve two options (`--to` after `--from`) are checked
 * first thing in the command's action, as a UsageError (also 64).
 */
import { InvalidArgumentError, Option } from 'commander';
import { DEVICE_ID_PATTERN, isDeviceId } from '../../shared/deviceId';
import { isStorageAccountName } from '../../shared/storageAccountName';
import { parseUtcInstant } from '../../shared/utcInstant';

/** A whole number within bounds. */
export function integerArg(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max)
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    return value;
  };
}

/** A number (decimals allowed) within bounds. */
export function numberArg(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max)
      throw new InvalidArgumentError(
        max === Infinity
          ? `Expected a number of at least ${min}.`
          : `Expected a number from ${min} to ${max}.`,
      );
    return value;
  };
}

/** A device id, checked before any storage call (a typo, not a missing device). */
export function deviceIdArg(raw: string): string {
  if (!isDeviceId(raw)) throw new InvalidArgumentError(`The device id must match ^${DEVICE_ID_PATTERN}$.`);
  return raw;
}

/** For a repeatable or variadic `--device <id>`: every value checked, all collected. */
export function deviceIdsArg(raw: string, previous: string[] = []): string[] {
  return [...previous, deviceIdArg(raw)];
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "24h", "7d" or plain seconds, as milliseconds. */
export function durationArg(raw: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new InvalidArgumentError(`Cannot read duration "${raw}"; use e.g. 30m, 24h or 7d.`);
  return Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
}

/**
 * An ISO date or date-time, UTC unless it carries an offset (`Z`, `+08:00`): the same hour
 * whatever time zone the operator's machine is in.
 */
export function instantArg(raw: string): Date {
  const ms = parseUtcInstant(raw);
  if (ms === undefined)
    throw new InvalidArgumentError(
      'Expected an ISO date or date-time, UTC unless it has an offset, e.g. 2026-11-01, 2026-11-01T06:00 or 2026-11-01T14:00+08:00.',
    );
  return new Date(ms);
}

export function storageAccountArg(raw: string): string {
  if (!isStorageAccountName(raw))
    throw new InvalidArgumentError('A storage account name is 3-24 lowercase letters and digits.');
  return raw;
}

/** `--account <name>`, the same on every command that reads storage in Azure. */
export function accountOption(): Option {
  return new Option(
    '--account <name>',
    'data storage account in Azure; signs in with Entra ID (az login, DefaultAzureCredential), no keys',
  ).argParser(storageAccountArg);
}
