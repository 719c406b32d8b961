import type { TableClient } from '@azure/data-tables';
import type { DeviceKeyRecord, DeviceRecord, DeviceRegistryAdmin } from '../auth/deviceRecord';
import { odataString } from './odata';
import { restErrorOf, storageCall } from './storageCall';

/**
 * The devices table: one partition per device, holding the device row (`RowKey = "device"`) and
 * one row per key (`RowKey = "key~<keyId>"`), so one partition query returns a device with its keys.
 * The admin methods serve `npm run device`.
 */
const DEVICE_ROW = 'device';
const KEY_ROW_PREFIX = 'key~';

interface Row {
  partitionKey: string;
  rowKey: string;
  [field: string]: unknown;
}

export class TableDeviceRegistry implements DeviceRegistryAdmin {
  constructor(
    private readonly table: TableClient,
    private readonly timeoutMs: number,
  ) {}

  get(deviceId: string): Promise<DeviceRecord | undefined> {
    return storageCall('devices.get', this.timeoutMs, async (abortSignal) => {
      const rows: Row[] = [];
      const filter = `PartitionKey eq ${odataString(deviceId)}`;
      for await (const row of this.table.listEntities<Row>({ queryOptions: { filter }, abortSignal }))
        rows.push(row);
      return toRecord(deviceId, rows);
    });
  }

  /** Every registered device id: the device rows' partition keys, nothing else of them. */
  listIds(): Promise<string[]> {
    return storageCall('devices.list', this.timeoutMs, async (abortSignal) => {
      const ids: string[] = [];
      const queryOptions = { filter: `RowKey eq ${odataString(DEVICE_ROW)}`, select: ['PartitionKey'] };
      for await (const row of this.table.listEntities<Row>({ queryOptions, abortSignal }))
        ids.push(row.partitionKey);
      return ids;
    });
  }

  async touchKey(deviceId: string, keyId: string, at: Date): Promise<void> {
    await storageCall('devices.touch', this.timeoutMs, (abortSignal) =>
      this.table.updateEntity(
        { partitionKey: deviceId, rowKey: KEY_ROW_PREFIX + keyId, lastUsedAt: at.toISOString() },
        'Merge',
        { abortSignal },
      ),
    );
  }

  /** Creates the device with its first key; refuses an id that exists. */
  async create(
    device: { deviceId: string; model: string; createdAt: string },
    key: DeviceKeyRecord,
  ): Promise<void> {
    try {
      await this.table.createEntity({
        partitionKey: device.deviceId,
        rowKey: DEVICE_ROW,
        model: device.model,
        disabled: false,
        createdAt: device.createdAt,
      });
    } catch (err) {
      if (restErrorOf(err).statusCode === 409) throw new Error(`Device "${device.deviceId}" already exists.`);
      throw err;
    }
    await this.addKey(device.deviceId, key);
  }

  async addKey(deviceId: string, key: DeviceKeyRecord): Promise<void> {
    await this.table.createEntity({ partitionKey: deviceId, rowKey: KEY_ROW_PREFIX + key.keyId, ...key });
  }

  async expireKey(deviceId: string, keyId: string, expiresAt: string): Promise<void> {
    await this.table.updateEntity(
      { partitionKey: deviceId, rowKey: KEY_ROW_PREFIX + keyId, expiresAt },
      'Merge',
    );
  }

  async removeKey(deviceId: string, keyId: string): Promise<void> {
    await this.table.deleteEntity(deviceId, KEY_ROW_PREFIX + keyId);
  }

  async setDisabled(deviceId: string, disabled: boolean): Promise<void> {
    try {
      await this.table.updateEntity({ partitionKey: deviceId, rowKey: DEVICE_ROW, disabled }, 'Merge', {
        etag: '*',
      });
    } catch (err) {
      if (restErrorOf(err).statusCode === 404) throw new Error(`Device "${deviceId}" does not exist.`);
      throw err;
    }
  }

  async remove(deviceId: string): Promise<void> {
    const record = await this.get(deviceId);
    if (!record) throw new Error(`Device "${deviceId}" does not exist.`);
    for (const key of record.keys) await this.table.deleteEntity(deviceId, KEY_ROW_PREFIX + key.keyId);
    await this.table.deleteEntity(deviceId, DEVICE_ROW);
  }

  async list(): Promise<DeviceRecord[]> {
    const byDevice = new Map<string, Row[]>();
    for await (const row of this.table.listEntities<Row>()) {
      byDevice.set(row.partitionKey, [...(byDevice.get(row.partitionKey) ?? []), row]);
    }
    return [...byDevice.entries()]
      .map(([deviceId, rows]) => toRecord(deviceId, rows))
      .filter((record): record is DeviceRecord => record !== undefined)
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }
}

function toRecord(deviceId: string, rows: Row[]): DeviceRecord | undefined {
  const device = rows.find((row) => row.rowKey === DEVICE_ROW);
  if (!device) return undefined;
  return {
    deviceId,
    model: typeof device.model === 'string' && device.model ? device.model : undefined,
    disabled: device.disabled === true,
    createdAt: String(device.createdAt ?? ''),
    keys: rows
      .filter((row) => row.rowKey.startsWith(KEY_ROW_PREFIX))
      .map((row) => ({
        keyId: row.rowKey.slice(KEY_ROW_PREFIX.length),
        hash: String(row.hash),
        createdAt: String(row.createdAt ?? ''),
        expiresAt: typeof row.expiresAt === 'string' ? row.expiresAt : undefined,
        lastUsedAt: typeof row.lastUsedAt === 'string' ? row.lastUsedAt : undefined,
        label: typeof row.label === 'string' ? row.label : undefined,
      })),
  };
}
