/**
 * The vendor's reference sync: download every blob of the container not yet in `<dest>`, verified
 * against its own `sha256` metadata, placed atomically under the same relative path.
 *
 * Completeness without listing the whole container every time: per device, the first run lists the
 * device's whole prefix; later runs list the day prefixes from the previous run's start minus the
 * lookback up to today (lookbackWindow.ts). A late file (blob written by a gateway's retry under the
 * day of the FIRST receipt) appears in a day the previous run already listed, so it is caught as long
 * as it appears within the lookback of that day (DATA_CONTRACT.md#late-files). A device's start is
 * advanced only when all its prefixes were listed; blobs that failed are retried by name.
 */
import { resolve, sep } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { describeError, withoutQuery } from './describeError';
import { downloadVerified } from './downloadVerified';
import { DAY_MS, dayOfBlobName, prefixesToList } from './lookbackWindow';
import { STATE_DIR, SyncStateStore } from './syncState';
import { mapConcurrently } from '../mapConcurrently';
import { sha256OfFile } from '../sha256OfFile';

export interface SyncOptions {
  dest: string;
  /** Only these devices; default: every top-level folder of the container. */
  devices?: string[];
  lookbackDays: number;
  /** List every device's whole prefix instead of the lookback window. */
  full?: boolean;
  concurrency: number;
  now?: () => Date;
  /** One line per problem, for stderr. */
  log: (line: string) => void;
  progress?: SyncProgress;
}

export interface SyncProgress {
  start(total: number): void;
  tick(): void;
  stop(): void;
}

export interface SyncSummary {
  listed: number;
  downloaded: number;
  skipped: number;
  /** Blobs not placed: `rejected` ones failed verification, the rest could not be read. */
  failed: number;
  rejected: number;
  /** Listing or reading errors: the run is incomplete. */
  accessErrors: number;
}

/** Discovery or the state failed before anything was listed: nothing was done. */
export class SyncAccessError extends Error {}

interface Candidate {
  name: string;
  device: string;
  /** From the listing; undefined for a failed blob retried by name. */
  sha256?: string;
  /** Not listed this run: an earlier failure, retried by name. */
  retried?: boolean;
}

export async function syncContainer(container: ContainerClient, options: SyncOptions): Promise<SyncSummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const store = await SyncStateStore.open(options.dest, withoutQuery(container.url));
  const { state } = store;
  const summary: SyncSummary = {
    listed: 0,
    downloaded: 0,
    skipped: 0,
    failed: 0,
    rejected: 0,
    accessErrors: 0,
  };
  try {
    const devices = options.devices ?? (await discoverDevices(container));

    // 1. List the window of each device (and remember which devices were listed completely).
    const candidates = new Map<string, Candidate>();
    const listedCompletely = new Set<string>();
    await mapConcurrently(devices, options.concurrency, async (device) => {
      const prefixes = prefixesToList(
        device,
        state.devices[device]?.listedAt,
        options.lookbackDays,
        startedAt,
        options.full,
      );
      let complete = true;
      for (const prefix of prefixes) {
        try {
          for await (const blob of container.listBlobsFlat({ prefix, includeMetadata: true })) {
            candidates.set(blob.name, { name: blob.name, device, sha256: blob.metadata?.sha256 });
          }
        } catch (err) {
          complete = false;
          summary.accessErrors++;
          options.log(`cannot list ${prefix}: ${describeError(err)}`);
          break;
        }
      }
      if (complete) listedCompletely.add(device);
    });
    // Earlier failures are retried by name, wherever they are (they may be outside today's window).
    for (const name of Object.keys(state.failed)) {
      const device = name.split('/')[0]!;
      if (!candidates.has(name) && (!options.devices || options.devices.includes(device)))
        candidates.set(name, { name, device, retried: true });
    }
    summary.listed = candidates.size;

    // 2. Skip what is already here: in the state, or a verified file the state forgot (crash).
    const toDownload: Candidate[] = [];
    for (const candidate of candidates.values()) {
      if (state.files[candidate.name]) {
        summary.skipped++;
        continue;
      }
      const target = targetPath(options.dest, candidate.name);
      if (
        target &&
        candidate.sha256 &&
        (await sha256OfFile(target).catch(() => undefined)) === candidate.sha256
      ) {
        store.placed(candidate.name, candidate.sha256, now());
        summary.skipped++;
        continue;
      }
      toDownload.push(candidate);
    }

    // 3. Download, verify, place.
    options.progress?.start(toDownload.length);
    await mapConcurrently(toDownload, options.concurrency, async ({ name, retried }) => {
      const target = targetPath(options.dest, name);
      try {
        if (!target) {
          reject(name, 'the blob name is not a safe relative path; not placed');
          return;
        }
        const result = await downloadVerified(container.getBlobClient(name), target, store.tmpDir);
        if (result.placed) {
          store.placed(name, result.sha256, now());
          summary.downloaded++;
        } else {
          reject(name, result.reason);
        }
      } catch (err) {
        if (retried && (err as { code?: string }).code === 'BlobNotFound') {
          // Deleted by the operator since it failed (e.g. a damaged blob): nothing left to fetch.
          delete state.failed[name];
          options.log(`${name} (failed earlier) no longer exists; not retried again`);
          return;
        }
        summary.failed++;
        summary.accessErrors++;
        store.failed(name, describeError(err), now());
        options.log(`cannot download ${name}: ${describeError(err)}`);
      } finally {
        options.progress?.tick();
        await store.checkpoint();
      }
    });
    options.progress?.stop();

    // 4. Advance the devices listed completely, and forget files that no window will list again.
    for (const device of listedCompletely) state.devices[device] = { listedAt: startedAt.toISOString() };
    forgetOutsideWindows(store, options.lookbackDays);
    return summary;
  } finally {
    await store.close();
  }

  function reject(name: string, reason: string): void {
    summary.failed++;
    summary.rejected++;
    store.failed(name, reason, now());
    options.log(`REJECTED ${name}: ${reason}`);
  }
}

/** Device ids are the container's top-level folders: one level of listing, not the whole container. */
async function discoverDevices(container: ContainerClient): Promise<string[]> {
  const devices: string[] = [];
  try {
    for await (const item of container.listBlobsByHierarchy('/')) {
      if (item.kind === 'prefix') devices.push(item.name.replace(/\/$/, ''));
    }
  } catch (err) {
    throw new SyncAccessError(`cannot list ${withoutQuery(container.url)}: ${describeError(err)}`);
  }
  return devices.filter((d) => d !== STATE_DIR).sort();
}

/** `<dest>/<blob name>`, or undefined when the name could escape `<dest>` or hit the state folder. */
function targetPath(dest: string, name: string): string | undefined {
  const segments = name.split('/');
  const unsafe = (s: string) => s === '' || s === '.' || s === '..' || /[\\\0:]/.test(s);
  if (segments.some(unsafe) || segments[0] === STATE_DIR) return undefined;
  const root = resolve(dest);
  const target = resolve(root, ...segments);
  return target.startsWith(root + sep) ? target : undefined;
}

/**
 * A placed file whose day is older than its device's next window start is never listed again, so
 * the state need not remember it (a full relist recognises it by its hash). Keeps the state small.
 */
function forgetOutsideWindows(store: SyncStateStore, lookbackDays: number): void {
  const { state } = store;
  for (const name of Object.keys(state.files)) {
    const listedAt = state.devices[name.split('/')[0]!]?.listedAt;
    const day = dayOfBlobName(name);
    if (listedAt === undefined || day === undefined) continue;
    // Two days beyond the window: its first day and the clock margin are never forgotten too early.
    if (day < Date.parse(listedAt) - (lookbackDays + 2) * DAY_MS) delete state.files[name];
  }
}
