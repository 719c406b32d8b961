/** Which devices a coverage report without --device covers. */
import type { ContainerClient } from '@azure/storage-blob';
import { deviceFolders } from '../../../shared/storage/deviceFolders';
import type { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';

/** Registered devices and every device with at least one blob (one delimiter listing, not a full one). */
export async function devicesToReport(
  registry: TableDeviceRegistry,
  raw: ContainerClient,
): Promise<string[]> {
  const ids = new Set((await registry.list()).map((d) => d.deviceId));
  for (const id of await deviceFolders(raw)) ids.add(id);
  return [...ids].sort();
}
