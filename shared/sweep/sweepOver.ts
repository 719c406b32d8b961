/**
 * The sweep wired to real storage: what the timer function and `telemetry-ops sweep` both run.
 */
import type { StorageClients } from '../storage/clients';
import { BlobConfirmationLog } from '../storage/blobConfirmationLog';
import { BlobRawStore } from '../storage/blobRawStore';
import { deviceFolders } from '../storage/deviceFolders';
import { TableDeviceRegistry } from '../storage/tableDeviceRegistry';
import { TableLedgerStore } from '../storage/tableLedgerStore';
import { runSweep } from './sweep';
import type { SweepResult } from './types';

export interface SweepSettings {
  storageTimeoutMs: number;
  orphanAfterMs: number;
  now?: () => Date;
  /** Only these devices (default: every registered device and every device with files). */
  devices?: string[];
}

export function sweepOver(clients: StorageClients, settings: SweepSettings): Promise<SweepResult> {
  const { storageTimeoutMs, orphanAfterMs, now = () => new Date(), devices } = settings;
  const registry = new TableDeviceRegistry(clients.devicesTable, storageTimeoutMs);
  return runSweep({
    ledger: new TableLedgerStore(clients.idempotencyTable, storageTimeoutMs),
    blobs: new BlobRawStore(clients.rawContainer, storageTimeoutMs),
    confirmations: new BlobConfirmationLog(clients.rawContainer, storageTimeoutMs),
    // Registered devices, and any device with files (a device removed from the registry, or one
    // that posted while authentication was off locally).
    devices: async () => {
      if (devices) return devices;
      const ids = new Set((await registry.list()).map((d) => d.deviceId));
      for (const id of await deviceFolders(clients.rawContainer)) ids.add(id);
      return [...ids].sort();
    },
    orphanAfterMs,
    now,
  });
}
