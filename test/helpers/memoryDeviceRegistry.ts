import { newDeviceKey } from '../../shared/auth/deviceKey';
import type { DeviceRecord, DeviceRegistry } from '../../shared/auth/deviceRecord';

/**
 * The devices table in memory, for unit tests of authentication: counts what the real table would
 * be asked (`reads` per device id, `listings`), answers asynchronously like a round trip, and lets a
 * test hold reads open to make requests overlap.
 */
export class MemoryDeviceRegistry implements DeviceRegistry {
  private readonly devices = new Map<string, DeviceRecord>();
  readonly reads: string[] = [];
  listings = 0;
  touches = 0;
  touchFault?: Error;
  private gate?: Promise<void>;

  /** Registers a device with one key and returns the key. */
  add(deviceId: string, options: { disabled?: boolean; expiresAt?: string } = {}): string {
    const key = newDeviceKey(deviceId);
    const record = this.devices.get(deviceId) ?? {
      deviceId,
      disabled: options.disabled ?? false,
      createdAt: '2026-11-25T00:00:00Z',
      keys: [],
    };
    record.keys.push({
      keyId: key.keyId,
      hash: key.hash,
      createdAt: record.createdAt,
      expiresAt: options.expiresAt,
    });
    this.devices.set(deviceId, record);
    return key.token;
  }

  remove(deviceId: string): void {
    this.devices.delete(deviceId);
  }

  /** Reads and listings wait until `release()`: to hold many requests inside their lookup at once. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async get(deviceId: string): Promise<DeviceRecord | undefined> {
    this.reads.push(deviceId);
    await (this.gate ?? Promise.resolve());
    const record = this.devices.get(deviceId);
    return record && structuredClone(record);
  }

  async listIds(): Promise<string[]> {
    this.listings++;
    await (this.gate ?? Promise.resolve());
    return [...this.devices.keys()];
  }

  /** Records the key's last use, as the table does; `touchFault` makes the write fail instead. */
  async touchKey(deviceId: string, keyId: string, at: Date): Promise<void> {
    this.touches++;
    if (this.touchFault) throw this.touchFault;
    const key = this.devices.get(deviceId)?.keys.find((k) => k.keyId === keyId);
    if (key) key.lastUsedAt = at.toISOString();
  }
}
