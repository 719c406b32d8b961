import { ConfigurationError } from '../errors';
import bundledDeviceModels from '../schemas/device-models.json';

/**
 * Which schema a device's payloads follow. Exact device ids win over `prefix*` patterns (longest
 * prefix first), and `default` covers everything else.
 */
export interface DeviceModelMap {
  fallback: string;
  exact: ReadonlyMap<string, string>;
  prefixes: ReadonlyArray<readonly [prefix: string, model: string]>;
}

export function parseDeviceModelMap(
  json: string,
  knownModels: ReadonlySet<string>,
  source: string,
): DeviceModelMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigurationError(source, 'not valid JSON');
  }
  const { default: fallback = 'default', devices = {} } = (parsed ?? {}) as {
    default?: unknown;
    devices?: unknown;
  };
  if (typeof devices !== 'object' || devices === null || Array.isArray(devices)) {
    throw new ConfigurationError(source, '"devices" must be an object of deviceId (or "prefix*") to model');
  }
  const known = (model: unknown, where: string): string => {
    if (typeof model !== 'string' || !knownModels.has(model)) {
      throw new ConfigurationError(
        source,
        `${where} names unknown model ${JSON.stringify(model)}; known: ${[...knownModels].join(', ')}`,
      );
    }
    return model;
  };

  const exact = new Map<string, string>();
  const prefixes: Array<[string, string]> = [];
  for (const [pattern, model] of Object.entries(devices)) {
    if (pattern.endsWith('*')) prefixes.push([pattern.slice(0, -1), known(model, `"${pattern}"`)]);
    else exact.set(pattern, known(model, `"${pattern}"`));
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);
  return { fallback: known(fallback, '"default"'), exact, prefixes };
}

/** The map in force: the DEVICE_MODELS app setting if set, else the bundled device-models.json. */
export function deviceModelMapFor(knownModels: ReadonlySet<string>, override?: string): DeviceModelMap {
  return override
    ? parseDeviceModelMap(override, knownModels, 'DEVICE_MODELS')
    : parseDeviceModelMap(
        JSON.stringify(bundledDeviceModels),
        knownModels,
        'shared/schemas/device-models.json',
      );
}

export function modelForDevice(map: DeviceModelMap, deviceId: string): string {
  return (
    map.exact.get(deviceId) ??
    map.prefixes.find(([prefix]) => deviceId.startsWith(prefix))?.[1] ??
    map.fallback
  );
}
