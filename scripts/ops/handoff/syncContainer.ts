/**
 * The vendor's reference sync: download every blob of the container not yet in `<dest>`, verified
 * against its own `sha256` metadata, placed atomically under the same relative path.
 *
 * Completeness without listing the whole container every time: per device, the first run (or
 * `--full`) lists the device's whole prefix; later runs read the confirmation record since the
 * device's last complete run (confirmedSince.ts): every blob is listed there once the sweep has seen
 * it, however late it landed and under whichever day it is named (DATA_CONTRACT.md#confirmed-files).
 * A device's cursor advances only when its candidates were read without an error; blobs that failed
 * are retried by name.
 */
import { resolve, sep } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { describeError, withoutQuery } from './describeError';
import { downloadVerified } from './downloadVerified';
import { confirmedSince } from './confirmedSince';
import { STATE_DIR, SyncStateStore } from './syncState';
import { isDeviceId } from '../../../shared/deviceId';
import { mapConcurrently } from '../../../shared/mapConcurrently';
import { sha256OfFile } from '../sha256OfFile';

export interface SyncOptions {
  dest: string;
  /** Only these devices; default: every device folder of the container. */
  devices?: string[];
  /** List every device's whole prefix instead of reading the confirmation record. */
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
  const store = await SyncStateStore.open(options.dest, withoutQuery(container.url));
  try {
    return await new ContainerSync(container, options, store).run();
  } finally {
    await store.close();
  }
}

/** One run of the sync: its start time, its state, its counts. */
class ContainerSync {
  private readonly now: () => Date;
  private readonly startedAt: Date;
  private readonly summary: SyncSummary = {
    listed: 0,
    downloaded: 0,
    skipped: 0,
    failed: 0,
    rejected: 0,
    accessErrors: 0,
  };

  constructor(
    private readonly container: ContainerClient,
    private readonly options: SyncOptions,
    private readonly store: SyncStateStore,
  ) {
    this.now = options.now ?? (() => new Date());
    this.startedAt = this.now();
  }

  async run(): Promise<SyncSummary> {
    const { options, store } = this;
    const devices = options.devices ?? (await discoverDevices(this.container));
    const { candidates, listedCompletely } = await this.listCandidates(devices);
    this.addEarlierFailures(candidates);
    this.summary.listed = candidates.size;
    const toDownload = await this.notYetHere(candidates.values());
    options.progress?.start(toDownload.length);
    await mapConcurrently(toDownload, options.concurrency, (candidate) => this.download(candidate));
    options.progress?.stop();
    // Advance the devices read completely, and forget files no later read will list again.
    const confirmedThrough = this.startedAt.toISOString();
    for (const device of listedCompletely) store.state.devices[device] = { confirmedThrough };
    forgetOlderThan(store, this.startedAt.getTime() - FORGET_AFTER_MS);
    return this.summary;
  }

  /**
   * 1. The candidates of each device: its whole prefix the first time (or with --full), else what the
   * confirmation record lists since its cursor; and which devices were read completely.
   */
  private async listCandidates(devices: string[]) {
    const candidates = new Map<string, Candidate>();
    const listedCompletely = new Set<string>();
    const cursorOf = (device: string) => this.store.state.devices[device]?.confirmedThrough;
    const fresh = devices.filter((d) => this.options.full || !cursorOf(d));
    const known = devices.filter((d) => !fresh.includes(d));
    await mapConcurrently(fresh, this.options.concurrency, async (device) => {
      if (await this.listPrefix(`${device}/`, device, candidates)) listedCompletely.add(device);
    });
    if (known.length === 0) return { candidates, listedCompletely };
    const since = new Date(Math.min(...known.map((d) => Date.parse(cursorOf(d)!))));
    try {
      const inScope = new Set(known);
      for (const c of await confirmedSince(this.container, since, this.startedAt)) {
        if (inScope.has(c.deviceId))
          candidates.set(c.name, { name: c.name, device: c.deviceId, sha256: c.sha256 });
      }
      for (const device of known) listedCompletely.add(device);
    } catch (err) {
      this.summary.accessErrors++;
      this.options.log(`cannot read the confirmation record: ${describeError(err)}`);
    }
    return { candidates, listedCompletely };
  }

  /** Lists one prefix into `candidates`; false (and logged) when the listing failed. */
  private async listPrefix(
    prefix: string,
    device: string,
    candidates: Map<string, Candidate>,
  ): Promise<boolean> {
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
        candidates.set(blob.name, { name: blob.name, device, sha256: blob.metadata?.sha256 });
      }
      return true;
    } catch (err) {
      this.summary.accessErrors++;
      this.options.log(`cannot list ${prefix}: ${describeError(err)}`);
      return false;
    }
  }

  /** Earlier failures are retried by name, wherever they are (they may be outside today's window). */
  private addEarlierFailures(candidates: Map<string, Candidate>): void {
    const only = this.options.devices;
    for (const name of Object.keys(this.store.state.failed)) {
      const device = name.split('/')[0]!;
      if (!candidates.has(name) && (!only || only.includes(device)))
        candidates.set(name, { name, device, retried: true });
    }
  }

  /** 2. Skips what is already here: in the state, or a verified file the state forgot (crash). */
  private async notYetHere(candidates: Iterable<Candidate>): Promise<Candidate[]> {
    const toDownload: Candidate[] = [];
    for (const candidate of candidates) {
      if (this.store.state.files[candidate.name]) {
        this.summary.skipped++;
        continue;
      }
      const target = targetPath(this.options.dest, candidate.name);
      const onDisk =
        target && candidate.sha256 ? await sha256OfFile(target).catch(() => undefined) : undefined;
      if (onDisk !== undefined && onDisk === candidate.sha256) {
        this.store.placed(candidate.name, candidate.sha256, this.now());
        this.summary.skipped++;
        continue;
      }
      toDownload.push(candidate);
    }
    return toDownload;
  }

  /** 3. Downloads, verifies, places one blob; a failure is recorded and retried next run. */
  private async download({ name, retried }: Candidate): Promise<void> {
    const target = targetPath(this.options.dest, name);
    try {
      if (!target) return this.reject(name, 'the blob name is not a safe relative path; not placed');
      const blob = this.container.getBlobClient(name);
      const result = await downloadVerified(blob, target, this.store.tmpDir);
      if (!result.placed) return this.reject(name, result.reason);
      this.store.placed(name, result.sha256, this.now());
      this.summary.downloaded++;
    } catch (err) {
      if (retried && (err as { code?: string }).code === 'BlobNotFound') {
        // Deleted by the operator since it failed (e.g. a damaged blob): nothing left to fetch.
        delete this.store.state.failed[name];
        this.options.log(`${name} (failed earlier) no longer exists; not retried again`);
        return;
      }
      this.summary.failed++;
      this.summary.accessErrors++;
      this.store.failed(name, describeError(err), this.now());
      this.options.log(`cannot download ${name}: ${describeError(err)}`);
    } finally {
      this.options.progress?.tick();
      await this.store.checkpoint();
    }
  }

  private reject(name: string, reason: string): void {
    this.summary.failed++;
    this.summary.rejected++;
    this.store.failed(name, reason, this.now());
    this.options.log(`REJECTED ${name}: ${reason}`);
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
  // Top-level folders that are not device ids are ours (`_confirmed/`, `_smoke/`), not devices.
  return devices.filter(isDeviceId).sort();
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

/** How long a placed file is remembered: far longer than the confirmation record's overlap. */
const FORGET_AFTER_MS = 7 * 86_400_000;

/**
 * Files placed before `before` are forgotten: no later read lists them again (a rare second listing
 * is recognised on disk by its hash). Keeps the state small.
 */
function forgetOlderThan(store: SyncStateStore, before: number): void {
  const { files } = store.state;
  for (const [name, file] of Object.entries(files))
    if (Date.parse(file.downloadedAt) < before) delete files[name];
}
