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

/** Every value a pointer with `*` segments reaches (see ModelProfile.readingTimes), in order. */
export function valuesAt(document: unknown, pointer: string): unknown[] {
  const values: unknown[] = [];
  forEachValueAt(document, pointer, (value) => values.push(value));
  return values;
}

/**
 * Calls `visit` with every value a pointer with `*` segments reaches, in document order, without
 * building the arrays valuesAt returns (10,000 readings made 10,000 of them).
 */
export function forEachValueAt(document: unknown, pointer: string, visit: (value: unknown) => void): void {
  // Unescaping never makes a `*`, so a `*` segment is always the wildcard.
  const segments = pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  walk(document, segments, 0, visit);
}

function walk(value: unknown, segments: string[], at: number, visit: (value: unknown) => void): void {
  if (at === segments.length) return visit(value);
  const segment = segments[at]!;
  if (segment === '*') {
    if (!Array.isArray(value)) return walk(value, segments, at + 1, visit);
    for (const item of value) walk(item, segments, at + 1, visit);
  } else if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) {
    walk((value as Record<string, unknown>)[segment], segments, at + 1, visit);
  }
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
