import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { syncFolder } from '../atomicFile';
import { FileStatus } from './types';

/** One line of the journal: the endpoint's (or the local check's) final word on one file. */
export interface JournalEntry {
  time: string;
  device: string;
  /** Relative to the folder, as the walk names it. */
  path: string;
  size: number;
  /** Of the file's bytes as read (the server's `sha256` is of the same bytes, decompressed). */
  sha256: string;
  status: typeof FileStatus.Stored | typeof FileStatus.Duplicate | typeof FileStatus.Rejected;
  blob?: string;
  httpStatus?: number;
  error?: string;
}

export interface JournalContents {
  /** Complete lines read. */
  lines: number;
  /** Lines that were not a journal entry (not JSON); ignored. */
  unreadable: number;
  /** A last line without its newline (the run that wrote it died mid-write): ignored and cut off. */
  tornBytes: number;
}

const TAIL_BYTES = 64 * 1024;
const key = (device: string, path: string) => `${device}\n${path}`;

/**
 * The append-only JSONL journal of a backfill folder: one line per acknowledged or rejected file.
 * Each batch of lines is one append followed by fdatasync before anyone acts on it (counts it, deletes
 * the original), so a crash can at worst tear the very last line, never earlier ones: an append
 * never rewrites bytes already in the file. On open a torn last line is ignored and cut off.
 *
 * The journal only saves work. The endpoint deduplicates by content (or Idempotency-Key), so a file
 * acknowledged but not yet journaled when the run died is sent again and answered `duplicate`.
 */
export class Journal {
  /** (device, path) -> "size:sha256" of the newest acknowledged bytes: ~150 bytes per file in memory. */
  private readonly acknowledged = new Map<string, string>();
  private queue: Array<{ line: string; done: () => void; failed: (err: unknown) => void }> = [];
  private flushing?: Promise<void>;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle | undefined,
    readonly contents: JournalContents,
  ) {}

  /** Reads the journal (if any) and, unless `readOnly`, opens it for appending. */
  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<Journal> {
    const contents: JournalContents = { lines: 0, unreadable: 0, tornBytes: 0 };
    let handle: FileHandle | undefined;
    let complete = 0;
    if (options.readOnly) {
      handle = await open(path, 'r').catch(ignoreMissing);
      if (handle) complete = await completeLength(handle, contents);
      await handle?.close();
      handle = undefined;
    } else {
      await mkdir(dirname(path), { recursive: true });
      // 'a+' creates the file; its appends go to the end whatever the position.
      handle = await open(path, 'a+');
      complete = await completeLength(handle, contents);
      if (contents.tornBytes > 0) {
        await handle.truncate(complete);
        await handle.datasync();
      }
      await syncFolder(dirname(path));
    }
    const journal = new Journal(path, handle, contents);
    if (complete > 0) await journal.load(complete);
    return journal;
  }

  /** True when these very bytes (same size and SHA-256) of this file were acknowledged before. */
  isAcknowledged(device: string, path: string, size: number, sha256: string): boolean {
    return this.acknowledged.get(key(device, path)) === `${size}:${sha256}`;
  }

  /** Resolves once the line is on disk (appended and fdatasync'ed). */
  append(entry: JournalEntry): Promise<void> {
    if (!this.handle) throw new Error('the journal is open read-only');
    this.remember(entry);
    const line = `${JSON.stringify(entry)}\n`;
    return new Promise((done, failed) => {
      this.queue.push({ line, done, failed });
      this.flushing ??= this.flush();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle?.close();
  }

  /** Group commit: whatever queued up while the previous batch synced goes out as one write + one sync. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.handle!.appendFile(batch.map((b) => b.line).join(''));
        await this.handle!.datasync();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.failed(err);
      }
    }
    this.flushing = undefined;
  }

  private remember(entry: Partial<JournalEntry>): void {
    if (
      (entry.status === FileStatus.Stored || entry.status === FileStatus.Duplicate) &&
      typeof entry.device === 'string' &&
      typeof entry.path === 'string'
    )
      this.acknowledged.set(key(entry.device, entry.path), `${entry.size}:${entry.sha256}`);
  }

  private async load(end: number): Promise<void> {
    const lines = createInterface({
      input: createReadStream(this.path, { start: 0, end: end - 1 }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      this.contents.lines++;
      try {
        this.remember(JSON.parse(line) as Partial<JournalEntry>);
      } catch {
        this.contents.unreadable++;
      }
    }
  }
}

/** The length up to and including the last newline; what follows it is a torn line. */
async function completeLength(handle: FileHandle, contents: JournalContents): Promise<number> {
  const { size } = await handle.stat();
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_BYTES);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    const newline = chunk.lastIndexOf(0x0a);
    if (newline >= 0) {
      contents.tornBytes = size - (start + newline + 1);
      return start + newline + 1;
    }
    end = start;
  }
  contents.tornBytes = size;
  return 0;
}

function ignoreMissing(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT') return undefined;
  throw err;
}
