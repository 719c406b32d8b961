/**
 * Files that are either there whole or not at all, even across a crash or a power cut: written under
 * a temporary name, fsync'ed, renamed into place, and the folder fsync'ed so the new name lasts too.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically. The temporary file goes into `tmpDir` (default: the target's
 * folder; it must be on the same file system), named with a leading dot so folder walks skip it.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { tmpDir?: string; mode?: number } = {},
): Promise<void> {
  const tmp = join(options.tmpDir ?? dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const handle = await open(tmp, 'wx', options.mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameDurably(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Renames a complete, fsync'ed file into place (creating the target's folder if needed) and fsyncs
 * the target's folder, so the rename survives a power cut. For files written by streaming (a verified
 * download) that cannot go through writeFileAtomic.
 */
export async function renameDurably(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
  await syncFolder(dirname(to));
}

/** A new or renamed name in a folder is durable only once the folder itself is fsync'ed. */
export async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
