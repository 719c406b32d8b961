import { RequestError } from '../errors';
import { hashDeviceKey, parseDeviceKey, sameDigest } from './deviceKey';
import { type DeviceRecord, type DeviceRegistry, isKeyActive } from './deviceRecord';

const CHALLENGE = 'Bearer realm="telemetry-ingest"';

/** The device key from `Authorization: Bearer <key>`, or `x-device-key` for gateways that cannot set Authorization. */
export function credentialFrom(
  authorization: string | null,
  deviceKeyHeader: string | null,
): string | undefined {
  if (authorization) {
    // Proxies join repeated headers with ", ": two credentials, and no telling which one is meant.
    if (authorization.includes(',')) {
      throw new RequestError(400, 'ambiguous_credentials', 'Send exactly one Authorization header.');
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    // A present but non-Bearer Authorization is a wrong credential, not a missing one.
    return match ? match[1]! : '';
  }
  return deviceKeyHeader?.trim() || undefined;
}

/**
 * Checks the device's own key before anything of the body is read:
 * no key or no valid key -> 401 with a challenge; a valid key of another device, or a disabled
 * device -> 403. `lastUsedAt` is written at most once per `touchIntervalMs` per key.
 */
export class DeviceAuthenticator {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly touchIntervalMs = 5 * 60_000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authenticate(deviceId: string, credential: string | undefined): Promise<DeviceRecord> {
    if (credential === undefined) {
      throw new RequestError(
        401,
        'missing_credentials',
        'Send the device key as "Authorization: Bearer <key>".',
        [],
        {
          'WWW-Authenticate': CHALLENGE,
        },
      );
    }
    const key = parseDeviceKey(credential);
    let owner = key && (await this.registry.get(key.deviceId));
    // A key id the cached record does not know may be a key created or rotated a moment ago: read
    // the device once more (the registry bounds how often), so a fresh key works at once.
    if (key && owner && !owner.keys.some((k) => k.keyId === key.keyId) && this.registry.refresh) {
      owner = await this.registry.refresh(key.deviceId);
    }
    const now = this.now();
    const stored = owner?.keys.find((k) => k.keyId === key!.keyId && isKeyActive(k, now));
    if (!key || !owner || !stored || !sameDigest(hashDeviceKey(key), stored.hash)) {
      throw new RequestError(401, 'invalid_credentials', 'The device key is not valid.', [], {
        'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"`,
      });
    }
    if (key.deviceId !== deviceId) {
      throw new RequestError(403, 'forbidden', 'This key belongs to another device.');
    }
    if (owner.disabled) {
      throw new RequestError(403, 'device_disabled', 'This device is disabled.');
    }
    await this.touch(owner.deviceId, stored.keyId, stored.lastUsedAt, now);
    return owner;
  }

  private async touch(
    deviceId: string,
    keyId: string,
    lastUsedAt: string | undefined,
    now: Date,
  ): Promise<void> {
    const id = `${deviceId}~${keyId}`;
    const last = Math.max(this.touched.get(id) ?? 0, lastUsedAt ? Date.parse(lastUsedAt) : 0);
    if (now.getTime() - last < this.touchIntervalMs) return;
    this.touched.set(id, now.getTime());
    // Bookkeeping only: a failed write must not refuse a valid device.
    await this.registry.touchKey(deviceId, keyId, now).catch(() => undefined);
  }
}
