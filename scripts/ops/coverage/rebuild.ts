/**
 * `coverage --rebuild`: files stored before the ledger existed (their claims have no marker and no
 * file-log row, some no reading summary) are adopted from their blobs, as the sweep would have
 * settled them. Bounded by the range: it lists the device's day folders of the days the range
 * touches (files *received* then). Idempotent: a file already in the file log is skipped (and the
 * settlement's file-log insert fails for one adopted meanwhile), so a rerun adopts nothing twice.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { Range } from '../../../shared/coverage';
import { summaryEntityFields } from '../../../shared/readingSummary';
import type { LedgerStore } from '../../../shared/ledger/types';
import { mapConcurrently } from '../../../shared/mapConcurrently';
import { type Judged, settleFiles } from '../../../shared/sweep/settle';
import type { ProfilesByModel } from '../../../shared/validation/modelProfile';

const DAY_MS = 86_400_000;

export interface RebuildResult {
  examined: number;
  rebuilt: number;
  failed: Array<{ deviceId: string; blobName: string; reason: string }>;
}

interface Found {
  deviceId: string;
  blobName: string;
  key: string;
}

export async function rebuildLedger(
  ledger: LedgerStore,
  raw: ContainerClient,
  profiles: ProfilesByModel,
  options: {
    devices: string[];
    range: Range;
    concurrency: number;
    progress?: (done: number, total: number) => void;
  },
): Promise<RebuildResult> {
  const result: RebuildResult = { examined: 0, rebuilt: 0, failed: [] };
  let done = 0;
  options.progress?.(0, options.devices.length);
  // One device at a time per worker: its files share day rollups, so settling them together
  // avoids racing ourselves for the same rows.
  await mapConcurrently(options.devices, options.concurrency, async (deviceId) => {
    const found = await blobsOf(raw, deviceId, options.range);
    result.examined += found.length;
    for (let round = 0; round < 3; round++) {
      const todo = await toAdopt(ledger, raw, profiles, found, result.failed);
      if (todo.length === 0) break;
      const outcome = await settleFiles(ledger, deviceId, todo, new Date());
      result.rebuilt += outcome.settled.length;
      if (!outcome.conflict) break;
    }
    options.progress?.(++done, options.devices.length);
  });
  return result;
}

/** The device's blobs received on the range's days, with the key each was stored under. */
async function blobsOf(raw: ContainerClient, deviceId: string, { from, to }: Range): Promise<Found[]> {
  const out: Found[] = [];
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let day = first; day < to.getTime(); day += DAY_MS) {
    const prefix = `${deviceId}/${new Date(day).toISOString().slice(0, 10).replace(/-/g, '/')}/`;
    for await (const blob of raw.listBlobsFlat({ prefix, includeMetadata: true })) {
      const key = blob.metadata?.idempotencykey;
      if (key) out.push({ deviceId, blobName: blob.name, key: decodeURIComponent(key) });
    }
  }
  return out;
}

/**
 * The found files the ledger does not have yet (not in the file log, no marker for the sweep), each
 * with a summary (read from its blob when the claim has none). Problems go to `failed`, once.
 */
async function toAdopt(
  ledger: LedgerStore,
  raw: ContainerClient,
  profiles: ProfilesByModel,
  found: Found[],
  failed: RebuildResult['failed'],
): Promise<Judged[]> {
  if (found.length === 0) return [];
  const marked = new Set((await ledger.markers(found[0]!.deviceId)).map((m) => m.key));
  const todo: Judged[] = [];
  for (const file of found) {
    try {
      const claim = await ledger.claim(file.deviceId, file.key);
      if (!claim) throw new Error('no idempotency entry for this blob');
      if (claim.blobName !== file.blobName) throw new Error(`its entry names ${claim.blobName}`);
      const at = new Date(claim.receivedAt);
      const logged = await ledger.fileLog(file.deviceId, at, new Date(at.getTime() + 1));
      if (marked.has(claim.key) || logged.some((f) => f.key === claim.key)) continue;
      const summary =
        claim.summary ?? summaryEntityFields(profiles[claim.schemaId], await readJson(raw, file), at);
      todo.push({ kind: 'stored', claim: { ...claim, summary } });
    } catch (err) {
      if (!failed.some((f) => f.blobName === file.blobName))
        failed.push({
          deviceId: file.deviceId,
          blobName: file.blobName,
          reason: (err as Error).message.split('\n')[0]!,
        });
    }
  }
  return todo;
}

async function readJson(raw: ContainerClient, file: Found): Promise<unknown> {
  return JSON.parse((await raw.getBlockBlobClient(file.blobName).downloadToBuffer()).toString('utf8'));
}
