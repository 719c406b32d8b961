/**
 * The sweep wired to real storage: what the timer function and `telemetry-ops sweep` both run.
 */
import type { DeviceRecord } from '../auth/deviceRecord';
import type { StorageClients } from '../storage/clients';
import { BlobConfirmationLog } from '../storage/blobConfirmationLog';
import { BlobRawStore } from '../storage/blobRawStore';
import { deviceFolders } from '../storage/deviceFolders';
import { TableDeviceRegistry } from '../storage/tableDeviceRegistry';
import { TableLedgerStore } from '../storage/tableLedgerStore';
import { type SilentDevice, silentDevices } from '../silence';
import { runSweep } from './sweep';
import type { SweepResult } from './types';

/** A run, and the devices silent once it has recorded what it confirmed (shared/silence.ts). */
export interface SweepRun extends SweepResult {
  silent: SilentDevice[];
}

export interface SweepSettings {
  storageTimeoutMs: number;
  orphanAfterMs: number;
  now?: () => Date;
  /** Only these devices (default: every registered device and every device with files). */
  devices?: string[];
}

export async function sweepOver(clients: StorageClients, settings: SweepSettings): Promise<SweepRun> {
  const { storageTimeoutMs, orphanAfterMs, now = () => new Date(), devices } = settings;
  const registry = new TableDeviceRegistry(clients.devicesTable, storageTimeoutMs);
  // One read of the device rows serves both the list of devices and the silence that follows.
  const registered = await registry.listDevices();
  const result = await runSweep({
    ledger: new TableLedgerStore(clients.idempotencyTable, storageTimeoutMs),
    blobs: new BlobRawStore(clients.rawContainer, storageTimeoutMs),
    confirmations: new BlobConfirmationLog(clients.rawContainer, storageTimeoutMs),
    lastFiles: { record: (deviceId, receivedAt) => registry.recordLastFile(deviceId, receivedAt) },
    // Registered devices, and any device with files (a device removed from the registry, or one
    // that posted while authentication was off locally).
    devices: async () => {
      if (devices) return devices;
      const ids = new Set(registered.map((d) => d.deviceId));
      for (const id of await deviceFolders(clients.rawContainer)) ids.add(id);
      return [...ids].sort();
    },
    orphanAfterMs,
    now,
  });
  return { ...result, silent: silentDevices(withRunFiles(registered, result), now()) };
}

/** The rows as read before the run, with the newest files the run has just recorded on them. */
function withRunFiles(registered: DeviceRecord[], result: SweepResult) {
  const newest = new Map(result.devices.map((d) => [d.deviceId, d.lastFileAt]));
  return registered.map((device) => {
    const run = newest.get(device.deviceId);
    const lastFileAt = [device.lastFileAt, run]
      .filter((t) => t !== undefined)
      .sort()
      .pop();
    return lastFileAt === undefined ? device : { ...device, lastFileAt };
  });
}
