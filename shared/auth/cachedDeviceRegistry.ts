import { type DeviceRecord, type DeviceRegistry, LookupCost } from './deviceRecord';

interface Entry {
  value: Promise<DeviceRecord | undefined>;
  expiresAt: number;
  /** A read of this id found the device (this one or an earlier one): it exists. */
  found?: boolean;
  /** When `refresh` last forced a read of this device: it does so at most once per interval. */
  refreshedAt?: number;
}

export interface CacheLimits {
  /** Entries kept in all (least recently used out first). */
  maxEntries: number;
  /** Of those, unknown device ids: a flood of invented ids cannot push the real devices out. */
  maxUnknown: number;
  /** How long an unknown id is remembered (capped by the TTL). */
  unknownTtlMs: number;
  /** `refresh` re-reads a device at most this often. */
  minRefreshIntervalMs: number;
}

const DEFAULT_LIMITS: CacheLimits = {
  maxEntries: 10_000,
  maxUnknown: 1_000,
  unknownTtlMs: 10_000,
  minRefreshIntervalMs: 5_000,
};

/**
 * A small in-process cache in front of the registry: a device's record is read at most once per TTL
 * per instance, so a disabled device or a revoked key stops working within the TTL. Concurrent
 * misses share one read. Unknown devices are cached briefly and in bounded number; a key id the
 * record does not know triggers at most one re-read per device per `minRefreshIntervalMs`.
 */
export class CachedDeviceRegistry implements DeviceRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly unknown = new Set<string>();
  private readonly limits: CacheLimits;

  constructor(
    private readonly inner: DeviceRegistry,
    private readonly ttlMs: number,
    limits: Partial<CacheLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get(deviceId: string): Promise<DeviceRecord | undefined> {
    const cached = this.entries.get(deviceId);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    return this.read(deviceId);
  }

  refresh(deviceId: string): Promise<DeviceRecord | undefined> {
    const cached = this.entries.get(deviceId);
    const last = cached?.refreshedAt;
    if (cached && last !== undefined && this.now() - last < this.limits.minRefreshIntervalMs) {
      return cached.value;
    }
    return this.read(deviceId, this.now());
  }

  /**
   * A fresh entry is answered from memory; an expired one of a device that exists costs a read,
   * but one per device per TTL, however many requests ask; anything else is an unknown id.
   */
  lookupCost(deviceId: string): LookupCost {
    const cached = this.entries.get(deviceId);
    if (cached && cached.expiresAt > this.now()) return LookupCost.Cached;
    return cached?.found ? LookupCost.KnownDevice : LookupCost.UnknownId;
  }

  touchKey(deviceId: string, keyId: string, at: Date): Promise<void> {
    return this.inner.touchKey(deviceId, keyId, at);
  }

  private read(deviceId: string, refreshedAt?: number): Promise<DeviceRecord | undefined> {
    const value = this.inner.get(deviceId);
    const readAt = this.now();
    const found = this.entries.get(deviceId)?.found;
    const entry: Entry = { value, expiresAt: readAt + this.ttlMs, refreshedAt, found };
    this.forget(deviceId);
    this.entries.set(deviceId, entry);
    if (this.entries.size > this.limits.maxEntries) this.forget(this.entries.keys().next().value!);
    value.then(
      (record) => {
        entry.found = record !== undefined;
        if (record || this.entries.get(deviceId) !== entry) return;
        if (this.unknown.size >= this.limits.maxUnknown) {
          // Full of unknown ids: this one is not remembered (DeviceAuthenticator bounds such reads).
          this.forget(deviceId);
          return;
        }
        this.unknown.add(deviceId);
        entry.expiresAt = Math.min(entry.expiresAt, readAt + this.limits.unknownTtlMs);
      },
      // A failed read is not cached: the next request tries again.
      () => this.entries.get(deviceId) === entry && this.forget(deviceId),
    );
    return value;
  }

  private forget(deviceId: string): void {
    this.entries.delete(deviceId);
    this.unknown.delete(deviceId);
  }

  /** For tests and metrics: how many ids are cached, and how many of them are unknown devices. */
  get size(): { entries: number; unknown: number } {
    return { entries: this.entries.size, unknown: this.unknown.size };
  }
}
