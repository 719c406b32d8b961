/**
 * What the confirmation record (`_confirmed/`, DATA_CONTRACT.md#confirmed-files) lists since a time:
 * the day folders from that day to today, and in them the files named from that time on. Files are
 * named when the sweep writes them, so an hour of overlap before the cursor covers a sweep that named
 * its file just before the cursor and wrote it just after, and clocks that disagree a little; what the
 * overlap reads twice is skipped as already here.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { CONFIRMED_PREFIX, parseConfirmations } from '../../../shared/storage/blobConfirmationLog';
import type { Confirmation } from '../../../shared/sweep/types';

const DAY_MS = 86_400_000;
export const CONFIRMED_OVERLAP_MS = 3_600_000;

/** Every confirmation in files named at or after `since - overlap`, up to `now`. */
export async function confirmedSince(
  container: ContainerClient,
  since: Date,
  now: Date,
): Promise<Confirmation[]> {
  const from = new Date(since.getTime() - CONFIRMED_OVERLAP_MS);
  const fromName = confirmationFileStart(from);
  const out: Confirmation[] = [];
  for (const prefix of dayFolders(from, now)) {
    for await (const blob of container.listBlobsFlat({ prefix })) {
      if (blob.name < fromName) continue;
      const text = (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      out.push(...parseConfirmations(text));
    }
  }
  return out;
}

/** `_confirmed/{yyyy}/{MM}/{dd}/` for every UTC day from `from` to `to`. */
function dayFolders(from: Date, to: Date): string[] {
  const folders: string[] = [];
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let day = first; day <= to.getTime(); day += DAY_MS) {
    folders.push(`${CONFIRMED_PREFIX}${new Date(day).toISOString().slice(0, 10).replace(/-/g, '/')}/`);
  }
  return folders;
}

/** The smallest confirmation file name written at `at` (names sort by time within a day folder). */
function confirmationFileStart(at: Date): string {
  const iso = at.toISOString();
  return `${CONFIRMED_PREFIX}${iso.slice(0, 10).replace(/-/g, '/')}/${iso.slice(11, 23).replace(/[:.]/g, '')}Z`;
}
