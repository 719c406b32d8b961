import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renameDurably, writeFileAtomic } from '../atomicFile';
import type { FoundFile, Rejection } from './types';

/** What `<file>.reason.json` beside a quarantined file says. */
export interface QuarantineReason {
  device: string;
  /** Where the file was, relative to the backfill folder. */
  path: string;
  size: number;
  sha256: string;
  httpStatus?: number;
  error: string;
  message: string;
  details?: unknown;
  time: string;
}

/**
 * `--quarantine <dir>`: moves a rejected file to `<dir>/<its path in the folder>` and writes
 * `<that>.reason.json` beside it (written first and atomically, so a file is never there without its
 * whole reason; both survive a power cut once this resolves). Returns where the file went.
 */
export async function quarantine(
  dir: string,
  file: FoundFile,
  size: number,
  sha256: string,
  rejection: Rejection,
): Promise<string> {
  const target = join(dir, ...file.path.split('/'));
  await mkdir(dirname(target), { recursive: true });
  const reason: QuarantineReason = {
    device: file.deviceId,
    path: file.path,
    size,
    sha256,
    httpStatus: rejection.httpStatus,
    error: rejection.error,
    message: rejection.message,
    details: rejection.details,
    time: new Date().toISOString(),
  };
  await writeFileAtomic(`${target}.reason.json`, `${JSON.stringify(reason, null, 2)}\n`);
  await move(file.absolutePath, target);
  return target;
}

async function move(from: string, to: string): Promise<void> {
  try {
    await renameDurably(from, to);
  } catch (err) {
    // Another file system: a durable copy first, then the original goes.
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await writeFileAtomic(to, await readFile(from));
    await unlink(from);
  }
}
