/** A registered device and its active keys, as kept in the devices table. */
export interface DeviceKeyRecord {
  keyId: string;
  /** HMAC-SHA256 of the key (see deviceKey.ts); the key itself is never stored. */
  hash: string;
  createdAt: string;
  /** Set when the key is rotated out: it keeps working until then (the grace period). */
  expiresAt?: string;
  lastUsedAt?: string;
  /** Free text for operators, e.g. which gateway or tool holds the key. */
  label?: string;
}

export interface DeviceRecord {
  deviceId: string;
  /** The device's payload model; falls back to the device map when absent. */
  model?: string;
  disabled: boolean;
  createdAt: string;
  keys: DeviceKeyRecord[];
}

/** What looking a device id up costs: answered from memory, or a read of the devices table. */
export const LookupCost = {
  /** A fresh cached record (or a read already under way): no new read. */
  Cached: 'cached',
  /** A read, of a device this instance has seen exist: bounded by the fleet, not by the request rate. */
  KnownDevice: 'knownDevice',
  /** A read of an id never seen to exist: what invented ids would cost. */
  UnknownId: 'unknownId',
} as const;
export type LookupCost = (typeof LookupCost)[keyof typeof LookupCost];

export interface DeviceRegistry {
  /** The device with all its keys, in one partition read; undefined when unknown. */
  get(deviceId: string): Promise<DeviceRecord | undefined>;
  /**
   * Reads the device again, past any cache, unless it was re-read very recently: for a key id the
   * cached record does not know yet (created or rotated moments ago by the CLI).
   */
  refresh?(deviceId: string): Promise<DeviceRecord | undefined>;
  touchKey(deviceId: string, keyId: string, at: Date): Promise<void>;
  /** What `get(deviceId)` would cost now; without a cache every lookup is a read of an unknown id. */
  lookupCost?(deviceId: string): LookupCost;
}

/**
 * The registry as the operator tools change it (`npm run device`, `npm start`'s demo device), through
 * deviceAdmin.ts. The real adapter is shared/storage/tableDeviceRegistry.ts.
 */
export interface DeviceRegistryAdmin extends DeviceRegistry {
  /** Creates the device with its first key; refuses an id that exists. */
  create(device: { deviceId: string; model: string; createdAt: string }, key: DeviceKeyRecord): Promise<void>;
  addKey(deviceId: string, key: DeviceKeyRecord): Promise<void>;
  expireKey(deviceId: string, keyId: string, expiresAt: string): Promise<void>;
  removeKey(deviceId: string, keyId: string): Promise<void>;
  /** Refuses a device that does not exist. */
  setDisabled(deviceId: string, disabled: boolean): Promise<void>;
  /** Removes the device and its keys; refuses a device that does not exist. */
  remove(deviceId: string): Promise<void>;
  /** Every device, by id. */
  list(): Promise<DeviceRecord[]>;
}

export function isKeyActive(key: DeviceKeyRecord, now: Date): boolean {
  return key.expiresAt === undefined || Date.parse(key.expiresAt) > now.getTime();
}
