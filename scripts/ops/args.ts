/**
 * Argument parsers the subcommands share. A value they refuse is commander's usage error: the
 * message names the option and the value, and the CLI exits 64.
 */
import { InvalidArgumentError } from 'commander';
import { DEVICE_ID_PATTERN, isDeviceId } from '../../shared/deviceId';

/** A whole number within bounds. */
export function integerArg(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max)
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    return value;
  };
}

/** A device id, checked before any storage call (a typo, not a missing device). */
export function deviceIdArg(raw: string): string {
  if (!isDeviceId(raw)) throw new InvalidArgumentError(`The device id must match ^${DEVICE_ID_PATTERN}$.`);
  return raw;
}

/** For a repeatable `--device <id...>`: every value checked, all collected. */
export function deviceIdsArg(raw: string, previous: string[] = []): string[] {
  return [...previous, deviceIdArg(raw)];
}
