/**
 * Device provisioning shared by `npm run device` and `npm start`: keys are generated here, printed
 * once by the caller, and only their hashes reach the devices table.
 */
import { newDeviceKey } from '../shared/auth/deviceKey';
import type { DeviceKeyRecord, DeviceRecord } from '../shared/auth/deviceRecord';
import { DeviceNotFoundError, type TableDeviceRegistry } from '../shared/storage/tableDeviceRegistry';
import { readModelSchemas } from '../shared/validation/modelSchemas';

export class UsageError extends Error {}

export function knownModels(): string[] {
  return readModelSchemas().map((s) => s.model);
}

export function checkModel(model: string): string {
  const models = knownModels();
  if (!models.includes(model))
    throw new UsageError(`Unknown model "${model}". Known models: ${models.join(', ')}.`);
  return model;
}

function keyRecord(deviceId: string, label?: string): { token: string; record: DeviceKeyRecord } {
  const key = newDeviceKey(deviceId);
  return {
    token: key.token,
    record: { keyId: key.keyId, hash: key.hash, createdAt: new Date().toISOString(), label },
  };
}

/**
 * Registers a device with its first key and returns the key. Without a model the device map decides
 * (see shared/validation/deviceModels.ts).
 */
export async function addDevice(
  registry: TableDeviceRegistry,
  deviceId: string,
  model?: string,
): Promise<string> {
  const { token, record } = keyRecord(deviceId);
  await registry.create(
    { deviceId, model: model === undefined ? '' : checkModel(model), createdAt: record.createdAt },
    record,
  );
  return token;
}

/** Adds one more key to an existing device (older keys stay valid) and returns it. */
export async function addKey(
  registry: TableDeviceRegistry,
  deviceId: string,
  label?: string,
): Promise<string> {
  const { token, record } = keyRecord(deviceId, label);
  await registry.addKey(deviceId, record);
  return token;
}

/** Adds a new key; existing keys keep working until `graceMs` from now, then stop. */
export async function rotateKey(
  registry: TableDeviceRegistry,
  deviceId: string,
  graceMs: number,
): Promise<{ token: string; expiring: DeviceKeyRecord[] }> {
  const device = await existing(registry, deviceId);
  const token = await addKey(registry, deviceId);
  const expiresAt = new Date(Date.now() + graceMs).toISOString();
  const expiring = device.keys.filter((k) => !k.expiresAt || k.expiresAt > expiresAt);
  for (const key of expiring) await registry.expireKey(deviceId, key.keyId, expiresAt);
  return { token, expiring: expiring.map((k) => ({ ...k, expiresAt })) };
}

/** `npm start`'s demo device: a fresh key each start, replacing the previous start's key. */
export async function provisionDemoDevice(
  registry: TableDeviceRegistry,
  deviceId: string,
  model: string,
): Promise<string> {
  const label = 'npm start';
  const device = await registry.get(deviceId);
  if (!device) {
    const { token, record } = keyRecord(deviceId, label);
    await registry.create({ deviceId, model, createdAt: record.createdAt }, record);
    return token;
  }
  for (const key of device.keys.filter((k) => k.label === label))
    await registry.removeKey(deviceId, key.keyId);
  if (device.disabled) await registry.setDisabled(deviceId, false);
  return addKey(registry, deviceId, label);
}

export async function existing(registry: TableDeviceRegistry, deviceId: string): Promise<DeviceRecord> {
  const device = await registry.get(deviceId);
  if (!device) throw new DeviceNotFoundError(`Device "${deviceId}" does not exist.`);
  return device;
}

/** "90s", "30m", "24h", "7d" or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`Cannot read duration "${text}"; use e.g. 30m, 24h or 7d.`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    (match[2] ?? 's') as 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}
