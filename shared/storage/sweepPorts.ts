/** The sweep's ports on real storage (shared/sweep/sweepOver.ts): what the timer and the CLI run. */
import type { FleetPorts } from '../sweep/sweepOver';
import { BlobConfirmationLog } from './blobConfirmationLog';
import { BlobRawStore } from './blobRawStore';
import type { StorageClients } from './clients';
import { deviceFolders } from './deviceFolders';
import { TableDeviceRegistry } from './tableDeviceRegistry';
import { TableLedgerStore } from './tableLedgerStore';

export function sweepPorts(clients: StorageClients, storageTimeoutMs: number): FleetPorts {
  return {
    ledger: new TableLedgerStore(clients.idempotencyTable, storageTimeoutMs),
    blobs: new BlobRawStore(clients.rawContainer, storageTimeoutMs),
    confirmations: new BlobConfirmationLog(clients.rawContainer, storageTimeoutMs),
    registry: new TableDeviceRegistry(clients.devicesTable, storageTimeoutMs),
    deviceFolders: () => deviceFolders(clients.rawContainer),
  };
}
