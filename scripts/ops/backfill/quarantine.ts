import { copyFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
 * `<that>.reason.json` beside it (written first, under a temporary name, so a file is never there
 * without its reason). Returns where the file went.
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
  const reasonFile = `${target}.reason.json`;
  await writeFile(`${reasonFile}.tmp`, `${JSON.stringify(reason, null, 2)}\n`);
  await rename(`${reasonFile}.tmp`, reasonFile);
  await move(file.absolutePath, target);
  return target;
}

async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    // Another file system: copy, then remove the original.
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}
