/**
 * What a sync has already placed in `<dest>`, kept in `<dest>/.telemetry-sync/state.json`. Device ids
 * start with a letter or digit, so this folder never collides with a device's folder.
 *
 * The state is only a shortcut: every file in `<dest>` was verified before it was renamed into place,
 * so a file the state forgot (a crash between a download and the next save) is recognised by its
 * SHA-256 on the next run and not downloaded again. The state itself is written atomically
 * (atomicFile.ts): a crash leaves the old state or the new one, never half of either. One sync at a
 * time per `<dest>` (folderLock.ts, the lock file `<dest>/.telemetry-sync/lock`).
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicFile';
import { type FolderLock, lockFolder } from '../folderLock';

export const STATE_DIR = '.telemetry-sync';
const STATE_FILE = 'state.json';
const LOCK_FILE = 'lock';
/** How often, at most, the state is saved while files are downloading. */
const CHECKPOINT_MS = 5_000;

export interface SyncState {
  version: 1;
  /** The container URL (no SAS): a state is never reused for another container. */
  source: string;
  /**
   * Per device, the start of the last run that read its candidates without an error: the next run
   * reads the confirmation record from there. A device without one (or with only the `listedAt` of
   * a sync from before the record existed) is listed whole once.
   */
  devices: Record<string, { confirmedThrough?: string; listedAt?: string }>;
  /** Blobs placed in `<dest>` and verified, by blob name. */
  files: Record<string, { sha256: string; downloadedAt: string }>;
  /** Blobs that failed (verification or access), retried by name on every run until placed. */
  failed: Record<string, { reason: string; at: string }>;
}

/** The state cannot be used: another container's, or an unknown version. */
export class StateMismatchError extends Error {}

export function stateDir(dest: string): string {
  return join(dest, STATE_DIR);
}

export async function loadSyncState(dest: string, source: string): Promise<SyncState> {
  let text: string;
  try {
    text = await readFile(join(stateDir(dest), STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { version: 1, source, devices: {}, files: {}, failed: {} };
    throw err;
  }
  const state = JSON.parse(text) as SyncState;
  if (state.version !== 1) throw new StateMismatchError(`Unknown sync state version ${state.version}.`);
  if (state.source !== source) {
    throw new StateMismatchError(
      `${dest} holds a sync of ${state.source}, not ${source}; use another --dest for another container.`,
    );
  }
  return state;
}

/** The state of one run: records results as they come and saves at most every few seconds. */
export class SyncStateStore {
  private lastSave = Date.now();
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dest: string,
    readonly state: SyncState,
    private readonly lock: FolderLock,
  ) {}

  /** Takes `<dest>`'s lock, clears what a crashed run left in its temp folder, reads the state. */
  static async open(dest: string, source: string): Promise<SyncStateStore> {
    await mkdir(stateDir(dest), { recursive: true });
    const lock = await lockFolder(join(stateDir(dest), LOCK_FILE), 'sync');
    try {
      const state = await loadSyncState(dest, source);
      const store = new SyncStateStore(dest, state, lock);
      await rm(store.tmpDir, { recursive: true, force: true });
      await mkdir(store.tmpDir);
      return store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Saves and releases the lock. */
  async close(): Promise<void> {
    try {
      await this.save();
    } finally {
      await this.lock.release();
    }
  }

  /** Where downloads are written before they are verified and renamed into place. */
  get tmpDir(): string {
    return join(stateDir(this.dest), 'tmp');
  }

  placed(name: string, sha256: string, at: Date): void {
    this.state.files[name] = { sha256, downloadedAt: at.toISOString() };
    delete this.state.failed[name];
  }

  failed(name: string, reason: string, at: Date): void {
    this.state.failed[name] = { reason, at: at.toISOString() };
  }

  /** Saves if the last save is older than the checkpoint interval. */
  async checkpoint(): Promise<void> {
    if (Date.now() - this.lastSave >= CHECKPOINT_MS) await this.save();
  }

  /** Saves now; saves never overlap. */
  save(): Promise<void> {
    this.lastSave = Date.now();
    const json = JSON.stringify(this.state, null, 1);
    const next = this.saving
      .catch(() => undefined)
      .then(() => writeFileAtomic(join(stateDir(this.dest), STATE_FILE), json, { tmpDir: this.tmpDir }));
    this.saving = next;
    return next;
  }
}
