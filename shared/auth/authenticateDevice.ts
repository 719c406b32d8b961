import { RequestError } from '../errors';
import type { TokenBucketLimiter } from '../rateLimiter';
import { invalidCredentials, missingCredentials } from './deviceCredential';
import type { DeviceDirectory } from './deviceDirectory';
import { type DeviceKey, hashDeviceKey, parseDeviceKey, sameDigest } from './deviceKey';
import { type DeviceRecord, type DeviceRegistry, isKeyActive, LookupCost } from './deviceRecord';

/**
 * Bounds what keys naming invented device ids can cost: reads of ids this instance has never seen
 * exist are charged to the sender's address group (`budget`, refunded when the device exists);
 * once a group has spent its budget, such ids are looked up in the `directory` instead, one
 * listing per interval for every client at once.
 */
export interface UnknownIdGuard {
  budget: TokenBucketLimiter;
  directory: DeviceDirectory;
}

export interface AuthenticatorOptions {
  /** Absent: every id is read as asked (no bound on forged ids). */
  unknownIds?: UnknownIdGuard;
  /** `lastUsedAt` is written at most once per interval per key. */
  touchIntervalMs?: number;
  /** Named in the answer to a request without a key. */
  deviceKeyHeader?: string;
  now?: () => Date;
}

/**
 * Checks the device's own key before anything of the body is read: no key or no valid key -> 401
 * with a challenge; a valid key of another device, or a disabled device -> 403.
 *
 * Nothing one client does can refuse another's valid key: there is no per-address refusal at all.
 * A key is checked in memory when its device is cached; only reads of device ids this instance
 * has never seen exist are budgeted, and a spent budget moves such lookups to the directory
 * instead of refusing them. So a gateway behind a NAT with a revoked key, or one inventing ids,
 * costs a bounded number of table reads and gets 401s, while its neighbours' valid keys pass.
 */
export class DeviceAuthenticator {
  private readonly touched = new Map<string, number>();
  private readonly touchIntervalMs: number;
  private readonly deviceKeyHeader: string;
  private readonly now: () => Date;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly options: AuthenticatorOptions = {},
  ) {
    this.touchIntervalMs = options.touchIntervalMs ?? 5 * 60_000;
    this.deviceKeyHeader = options.deviceKeyHeader ?? 'x-device-key';
    this.now = options.now ?? (() => new Date());
  }

  /** `client`: the sender's address group (see clientAddress.ts), whose budget an unknown id spends. */
  async authenticate(
    deviceId: string,
    credential: string | undefined,
    client: string,
  ): Promise<DeviceRecord> {
    if (credential === undefined) throw missingCredentials(this.deviceKeyHeader);
    const key = parseDeviceKey(credential);
    const owner = key && (await this.ownerOf(key, client));
    const now = this.now();
    const stored = owner?.keys.find((k) => k.keyId === key!.keyId && isKeyActive(k, now));
    if (!key || !owner || !stored || !sameDigest(hashDeviceKey(key), stored.hash)) throw invalidCredentials();
    if (key.deviceId !== deviceId) {
      throw new RequestError(403, 'forbidden', 'This key belongs to another device.');
    }
    if (owner.disabled) {
      throw new RequestError(403, 'device_disabled', 'This device is disabled.');
    }
    await this.touch(owner.deviceId, stored.keyId, stored.lastUsedAt, now);
    return owner;
  }

  private async ownerOf(key: DeviceKey, client: string): Promise<DeviceRecord | undefined> {
    const owner = await this.lookup(key.deviceId, client);
    // A key id the cached record does not know may be a key created or rotated a moment ago: read
    // the device once more (the registry bounds how often), so a fresh key works at once.
    if (owner && !owner.keys.some((k) => k.keyId === key.keyId) && this.registry.refresh) {
      return this.registry.refresh(key.deviceId);
    }
    return owner;
  }

  private async lookup(deviceId: string, client: string): Promise<DeviceRecord | undefined> {
    const guard = this.options.unknownIds;
    const cost = this.registry.lookupCost?.(deviceId) ?? LookupCost.UnknownId;
    if (!guard || cost !== LookupCost.UnknownId) return this.registry.get(deviceId);
    // Taken before the read, so concurrent requests cannot all pass a bucket that is nearly empty.
    if (guard.budget.take(client).allowed) {
      const record = await this.registry.get(deviceId);
      if (record) guard.budget.refund(client);
      return record;
    }
    return (await guard.directory.has(deviceId)) ? this.registry.get(deviceId) : undefined;
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
