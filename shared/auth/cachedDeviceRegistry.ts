import type { DeviceRecord, DeviceRegistry } from './deviceRecord';

interface Entry {
  value: Promise<DeviceRecord | undefined>;
  expiresAt: number;
}

/**
 * A small in-process cache in front of the registry: a device's record is read at most once per TTL
 * per instance, so a disabled device or a revoked key stops working within the TTL. Concurrent
 * misses share one read. Unknown devices are cached briefly too, so a flood of bad ids cannot turn
 * into a flood of table reads.
 */
export class CachedDeviceRegistry implements DeviceRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: DeviceRegistry,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(deviceId: string): Promise<DeviceRecord | undefined> {
    const cached = this.entries.get(deviceId);
    if (cached && cached.expiresAt > this.now()) return cached.value;

    const value = this.inner.get(deviceId);
    const entry = { value, expiresAt: this.now() + this.ttlMs };
    this.entries.delete(deviceId);
    this.entries.set(deviceId, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    value.then(
      (record) => {
        if (!record) entry.expiresAt = Math.min(entry.expiresAt, this.now() + Math.min(this.ttlMs, 10_000));
      },
      // A failed read is not cached: the next request tries again.
      () => this.entries.get(deviceId) === entry && this.entries.delete(deviceId),
    );
    return value;
  }

  touchKey(deviceId: string, keyId: string, at: Date): Promise<void> {
    return this.inner.touchKey(deviceId, keyId, at);
  }
}
