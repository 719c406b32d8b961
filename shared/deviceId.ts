import { RequestError } from './errors';

/**
 * Device ids become the first segment of blob names and the table PartitionKey, so only a small,
 * path-safe alphabet is accepted: no slashes, dots-only segments, whitespace or look-alike characters.
 */
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseDeviceId(raw: string | undefined): string {
  if (raw === undefined || !DEVICE_ID.test(raw) || raw.includes('..')) {
    throw new RequestError(
      400,
      'invalid_device_id',
      'The device id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$.',
      [
        {
          path: 'deviceId',
          message: 'letters, digits, ".", "_" and "-" only, starting with a letter or digit, at most 64',
        },
      ],
    );
  }
  return raw;
}
