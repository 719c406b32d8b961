import { RequestError } from '../errors';

/**
 * What a device model declares about its payloads beyond their shape, in the schema's
 * `x-telemetry` annotation (Ajv ignores it; the build copies it into shared/generated/).
 */
export interface ModelProfile {
  /** JSON pointer to the device's own id in the payload, for models that carry one. */
  deviceId?: string;
}

export type ProfilesByModel = Readonly<Record<string, ModelProfile>>;

export const PROFILE_KEYWORD = 'x-telemetry';

/** The value at a JSON pointer (RFC 6901), or undefined. */
export function valueAt(document: unknown, pointer: string): unknown {
  let value = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A file names its own device (e.g. `deviceId` in oil-condition-v1): it must be the device the URL
 * names and the key authenticated, or the file would be stored under the wrong truck.
 */
export function checkPayloadDevice(
  profile: ModelProfile | undefined,
  payload: unknown,
  deviceId: string,
): void {
  if (!profile?.deviceId) return;
  const claimed = valueAt(payload, profile.deviceId);
  if (claimed === undefined || claimed === deviceId) return;
  throw new RequestError(400, 'device_id_mismatch', 'The file names another device than the URL.', [
    {
      path: profile.deviceId,
      message: `the file says ${JSON.stringify(String(claimed)).slice(0, 80)}, the URL says "${deviceId}"`,
    },
  ]);
}
