import { RequestError } from '../errors';

/**
 * What a device model declares about its payloads beyond their shape, in the schema's
 * `x-telemetry` annotation (Ajv ignores it; the build copies it into shared/generated/).
 */
export interface ModelProfile {
  /** JSON pointer to the device's own id in the payload, for models that carry one. */
  deviceId?: string;
  /**
   * Where the reading timestamps are: a JSON pointer in which `*` stands for every element of an
   * array, or for the value itself when it is not an array (one reading or a batch): oil-condition-v1
   * says `/readings/` + `*` + `/timestamp`.
   */
  readingTimes?: string;
  /** JSON pointer to the device's send time, for the clock check. */
  sentAt?: string;
}

export type ProfilesByModel = Readonly<Record<string, ModelProfile>>;

export const PROFILE_KEYWORD = 'x-telemetry';

/** Each model's profile, from its schema's annotation (none declared: an empty profile). */
export function profilesFromSchemas(
  schemas: ReadonlyArray<{ model: string; schema: Record<string, unknown> }>,
): ProfilesByModel {
  return Object.fromEntries(
    schemas.map(({ model, schema }) => [model, (schema[PROFILE_KEYWORD] ?? {}) as ModelProfile]),
  );
}

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

/** Every value a pointer with `*` segments reaches (see ModelProfile.readingTimes). */
export function valuesAt(document: unknown, pointer: string): unknown[] {
  let values = [document];
  for (const raw of pointer.split('/').slice(1)) {
    if (raw === '*') {
      values = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
      continue;
    }
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    values = values.flatMap((v) =>
      typeof v === 'object' && v !== null && Object.hasOwn(v, key)
        ? [(v as Record<string, unknown>)[key]]
        : [],
    );
  }
  return values;
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
