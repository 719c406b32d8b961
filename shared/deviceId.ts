import { RequestError } from './errors';

/**
 * Device ids become the first segment of blob names and the table PartitionKey, so only a small,
 * path-safe alphabet is accepted: no slashes, dots-only segments, whitespace or look-alike characters.
 */
export const DEVICE_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}';
const DEVICE_ID = new RegExp(`^${DEVICE_ID_PATTERN}$`);

export function isDeviceId(raw: string | undefined): raw is string {
  return raw !== undefined && DEVICE_ID.test(raw) && !raw.includes('..');
}

export function parseDeviceId(raw: string | undefined): string {
  if (!isDeviceId(raw)) {
    throw new RequestError(400, 'invalid_device_id', `The device id must match ^${DEVICE_ID_PATTERN}$.`, [
      {
        path: 'deviceId',
        message: 'letters, digits, ".", "_" and "-" only, starting with a letter or digit, at most 64',
      },
    ]);
  }
  return raw;
}
