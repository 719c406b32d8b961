import type { ContainerClient } from '@azure/storage-blob';
import { isDeviceId } from '../deviceId';

/**
 * The devices with a folder in the raw container: one delimiter listing of the top level, not a
 * listing of the blobs. Folders that are not device ids (`_confirmed/`, `_smoke/`) are ours.
 */
export async function deviceFolders(raw: ContainerClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of raw.listBlobsByHierarchy('/')) {
    const name = item.name.replace(/\/$/, '');
    if (item.kind === 'prefix' && isDeviceId(name)) ids.push(name);
  }
  return ids;
}
