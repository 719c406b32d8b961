import { createHash, randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobClient } from '@azure/storage-blob';
import { renameDurably } from '../atomicFile';

export type DownloadResult =
  | { placed: true; sha256: string }
  /** The bytes are not what the blob's own metadata says: nothing was placed. */
  | { placed: false; reason: string };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Downloads one blob into `tmpDir`, hashing as it writes, and renames it to `target` only if its
 * SHA-256 equals the blob's `sha256` metadata (and its MD5 the Content-MD5, when the blob has one).
 * The metadata comes from the same GET as the bytes, so both describe one blob. A file in `target`
 * is therefore always complete and verified; anything else is deleted. Access and network errors
 * are thrown.
 */
export async function downloadVerified(
  blob: BlobClient,
  target: string,
  tmpDir: string,
): Promise<DownloadResult> {
  const response = await blob.download(0);
  const body = response.readableStreamBody;
  const expected = response.metadata?.sha256?.toLowerCase();
  if (!body) throw new Error('the download returned no body');
  if (!expected || !SHA256_HEX.test(expected)) {
    body.destroy();
    return { placed: false, reason: 'the blob has no valid sha256 metadata' };
  }

  const tmp = join(tmpDir, `${randomUUID()}.part`);
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const handle = await open(tmp, 'wx');
  try {
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        sha256.update(chunk);
        md5.update(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const actual = sha256.digest('hex');
    if (actual !== expected) {
      await rm(tmp, { force: true });
      return {
        placed: false,
        reason: `SHA-256 of the bytes is ${actual}, its sha256 metadata says ${expected}`,
      };
    }
    const contentMD5 = response.contentMD5 ? Buffer.from(response.contentMD5).toString('base64') : undefined;
    const actualMD5 = md5.digest('base64');
    if (contentMD5 && contentMD5 !== actualMD5) {
      await rm(tmp, { force: true });
      return {
        placed: false,
        reason: `MD5 of the bytes is ${actualMD5}, its Content-MD5 says ${contentMD5}`,
      };
    }
    await renameDurably(tmp, target);
    return { placed: true, sha256: actual };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
