/**
 * One process at a time per folder (e.g. one vendor sync per --dest): an O_EXCL-style lock file that
 * is created whole (written under a temporary name, then hard-linked into place, which fails if a lock
 * exists), naming its holder, so a second process refuses with a message instead of a raw EEXIST.
 *
 * Stale locks: a lock whose holder ran on this host and no longer runs (a crash, kill -9, a reboot)
 * is taken over. It is moved aside first and checked to be the one judged stale, so two processes
 * finding the same stale lock never both win. A lock from another host (a shared folder) or from a
 * live process is never taken over: the message says whose it is and to delete it only when no such
 * process runs (a reused pid after a reboot can make a dead lock look alive).
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** Another process holds the lock: nothing was done, try again once it has finished. */
export class FolderLockedError extends Error {}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

export interface FolderLock {
  /** Removes the lock, if it is still this process's. */
  release(): Promise<void>;
}

/** Takes the lock file `path`; `what` names the holder in messages ("a sync"). */
export async function lockFolder(path: string, what: string): Promise<FolderLock> {
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(path, mine)) return { release: () => releaseIfMine(path, mine) };
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released between our attempt and the read
    const holder = parse(text);
    if (holder && (holder.host !== hostname() || isRunning(holder.pid))) {
      throw new FolderLockedError(
        `Another ${what} (pid ${holder.pid} on ${holder.host}, since ${holder.since}) is using ${path}; ` +
          `wait for it to finish. If none is running, delete ${path}.`,
      );
    }
    await takeOverStale(path, text, what);
  }
  throw new FolderLockedError(`Another ${what} is starting with the same lock ${path}; try again.`);
}

/** Creates the lock with its whole content, or returns false if one exists. */
async function create(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Moves the stale lock aside; if what moved is not the lock judged stale, puts it back and refuses. */
async function takeOverStale(path: string, staleText: string, what: string): Promise<void> {
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it first
    throw err;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== staleText) {
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    throw new FolderLockedError(`Another ${what} is starting with the same lock ${path}; try again.`);
  }
  await rm(aside, { force: true });
}

async function releaseIfMine(path: string, mine: string): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === mine) await unlink(path).catch(() => undefined);
}

function parse(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string')
      return value as Holder;
  } catch {
    // An old-format or damaged lock: treated as stale (it cannot name a live holder).
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
