import { readFileSync } from 'node:fs';
import { DEVICE_ID_PATTERN, isDeviceId } from '../../../shared/deviceId';
import { UsageError } from '../exitCodes';

/**
 * Device keys for a run: from `--keys keys.json` ({"<deviceId>": "<key>"}) or one device's key from
 * the environment variable `--key-env` names. Messages name files, variables and device ids, never
 * a key (not even a JSON parser's excerpt of the file).
 */
export class KeyRing {
  private constructor(
    private readonly keys: ReadonlyMap<string, string>,
    /** Where the keys came from, for messages: "keys.json" or "$TRUCK_KEY". */
    readonly source: string,
  ) {}

  static empty(): KeyRing {
    return new KeyRing(new Map(), 'no keys');
  }

  static fromFile(file: string): KeyRing {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `Cannot read the keys file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(
        `The keys file ${file} is not valid JSON; expected {"<deviceId>": "<device key>", ...}.`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UsageError(
        `The keys file ${file} must be one JSON object {"<deviceId>": "<device key>", ...}.`,
      );
    const keys = new Map<string, string>();
    for (const [deviceId, key] of Object.entries(parsed)) {
      if (!isDeviceId(deviceId))
        throw new UsageError(
          `The keys file ${file} names "${deviceId}", which is not a device id (^${DEVICE_ID_PATTERN}$).`,
        );
      keys.set(deviceId, checkedKey(key, `the key of ${deviceId} in ${file}`));
    }
    if (keys.size === 0) throw new UsageError(`The keys file ${file} holds no keys.`);
    return new KeyRing(keys, file);
  }

  static fromEnv(deviceId: string, variable: string, env: NodeJS.ProcessEnv = process.env): KeyRing {
    const value = env[variable];
    if (value === undefined || value.trim() === '')
      throw new UsageError(`The environment variable ${variable} (--key-env) is not set or empty.`);
    return new KeyRing(new Map([[deviceId, checkedKey(value.trim(), `$${variable}`)]]), `$${variable}`);
  }

  keyFor(deviceId: string): string | undefined {
    return this.keys.get(deviceId);
  }
}

/** A key goes into an HTTP header: one printable ASCII token, no spaces. */
function checkedKey(key: unknown, what: string): string {
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(key))
    throw new UsageError(`${what} must be a non-empty string of printable ASCII without spaces.`);
  return key;
}
