/**
 * The final word on one file: skip it if the journal already holds a 200 for these bytes, else send
 * it until the endpoint acknowledges or refuses it, journal the answer (durably) and only then count
 * it, quarantine or delete it.
 */
import { readFile, stat, unlink } from 'node:fs/promises';
import { RequestError } from '../../../shared/errors';
import { sha256Hex } from '../../../shared/hash';
import { parseJson } from '../../../shared/parseJson';
import { RawBody } from '../../../shared/rawBody';
import { sha256OfFile } from '../sha256OfFile';
import type { Journal, JournalEntry } from './journal';
import type { BackfillSettings } from './options';
import type { BackfillOutput } from './progress';
import { quarantine } from './quarantine';
import type { RunStop } from './runStop';
import type { SendResult } from './sender';
import type { Tally } from './summary';
import { FileStatus, type FoundFile, type Rejection } from './types';

/** The Functions host refuses larger bodies before the app sees them (and so would the endpoint). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Rejected files listed at the end; the journal (and the quarantine) hold them all. */
const LISTED_REJECTIONS = 1000;

/** Sends one file's bytes with its device's key until the endpoint has its final word. */
export type SendToEndpoint = (
  file: FoundFile,
  bytes: Buffer,
  sha256: string,
  key: string,
) => Promise<SendResult>;

/** A rejected file as the list at the end shows it. */
export interface ListedRejection {
  path: string;
  error: string;
  message: string;
  movedTo?: string;
}

/** A file as read from disk; `bytes` only when it is small enough to send. */
interface LocalFile {
  size: number;
  sha256: string;
  bytes?: Buffer;
}

export class FileSettler {
  readonly rejections: ListedRejection[] = [];
  /** Devices whose files are not sent, with the reason said once (no key, key refused). */
  private readonly deviceStops = new Map<string, string>();

  constructor(
    private readonly settings: BackfillSettings,
    private readonly tally: Tally,
    private readonly output: BackfillOutput,
    private readonly journal: Journal,
    private readonly stop: RunStop,
    private readonly send: SendToEndpoint,
  ) {}

  /** Settles one file; a local failure (unreadable, quarantine not writable) leaves it for the next run. */
  async settleOrLeave(file: FoundFile): Promise<void> {
    try {
      await this.settle(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      this.output.progress.log(`${file.path}: not settled: ${(err as Error).message}`);
      this.count(file, FileStatus.Unsent, 0, `local error ${code}`);
    }
  }

  private async settle(file: FoundFile): Promise<void> {
    if (this.stop.stopped) return this.count(file, FileStatus.Unsent, 0, this.stop.reason);
    const deviceStopped = this.deviceStopped(file);
    if (deviceStopped) return this.count(file, FileStatus.Unsent, 0, deviceStopped);
    const local = await this.read(file);
    if (!local) return;
    if (!local.bytes) return this.reject(file, local, tooLarge(local.size));
    if (file.problem) return this.reject(file, local, file.problem);
    if (this.journal.isAcknowledged(file.deviceId, file.path, local.size, local.sha256)) {
      // The journal proves a 200 for these very bytes.
      if (this.settings.deleteAcknowledged && !this.settings.dryRun) await unlink(file.absolutePath);
      return this.count(file, FileStatus.Skipped, local.size);
    }
    if (this.settings.dryRun) return this.dryRunCheck(file, local, local.bytes);
    const key = this.settings.keys.keyFor(file.deviceId)!;
    return this.act(file, local, await this.send(file, local.bytes, local.sha256, key));
  }

  /** Why this device's files are not sent (no key, key refused), or undefined to send them. */
  private deviceStopped(file: FoundFile): string | undefined {
    if (this.settings.dryRun || file.problem) return undefined;
    if (this.settings.keys.keyFor(file.deviceId) === undefined)
      this.stopDevice(
        file.deviceId,
        'no key',
        `${file.deviceId}: no key in ${this.settings.keys.source}; its files are not sent.`,
      );
    return this.deviceStops.get(file.deviceId);
  }

  private stopDevice(deviceId: string, reason: string, notice: string): void {
    if (this.deviceStops.has(deviceId)) return;
    this.deviceStops.set(deviceId, reason);
    this.output.progress.log(notice);
  }

  /** Size, hash and (unless too large) bytes; undefined when the file is gone since the walk listed it. */
  private async read(file: FoundFile): Promise<LocalFile | undefined> {
    let size: number;
    try {
      size = (await stat(file.absolutePath)).size;
    } catch (err) {
      // Another run with --delete-acknowledged, or an operator, got there first.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.output.progress.log(`${file.path}: vanished; not counted`);
      return undefined;
    }
    if (size > MAX_FILE_BYTES) return { size, sha256: await sha256OfFile(file.absolutePath) };
    const bytes = await readFile(file.absolutePath);
    return { size, sha256: sha256Hex(bytes), bytes };
  }

  /** What the endpoint's final word means for the file, the journal and the run. */
  private async act(file: FoundFile, local: LocalFile, result: SendResult): Promise<void> {
    switch (result.kind) {
      case 'acknowledged':
        return this.acknowledged(file, local, result);
      case 'rejected':
        return this.reject(file, local, result.rejection);
      case 'authFailed': {
        const reason = `${result.httpStatus} ${result.error}`;
        this.stopDevice(
          file.deviceId,
          reason,
          `${file.deviceId}: ${reason} (${result.message}). The device key is wrong or revoked; its remaining files are not sent.`,
        );
        return this.count(file, FileStatus.Unsent, local.size, reason);
      }
      case 'unsent': {
        if (!this.stop.stopped) this.output.progress.log(`${file.path}: not sent: ${result.reason}`);
        const reason = this.stop.stopped ? this.stop.reason : 'retries exhausted';
        return this.count(file, FileStatus.Unsent, local.size, reason);
      }
      case 'fatal':
        this.stop.halt(result.message);
        return this.count(file, FileStatus.Unsent, local.size, this.stop.reason);
    }
  }

  /** Journaled first: only a 200 on disk lets the original go. */
  private async acknowledged(
    file: FoundFile,
    local: LocalFile,
    result: Extract<SendResult, { kind: 'acknowledged' }>,
  ): Promise<void> {
    try {
      await this.record(file, local, { status: result.status, blob: result.blob });
    } catch (err) {
      // The endpoint has the file; only the original must stay, as nothing records the 200, and the
      // run must not end as if it were complete.
      const code = (err as NodeJS.ErrnoException).code ?? err;
      this.stop.halt(`cannot write the journal ${this.settings.journalPath}: ${code}`);
      this.count(file, result.status, local.size);
      return this.tally.unjournaled(file.deviceId);
    }
    if (this.settings.deleteAcknowledged) await unlink(file.absolutePath);
    return this.count(file, result.status, local.size);
  }

  private async reject(file: FoundFile, local: LocalFile, rejection: Rejection): Promise<void> {
    const { dryRun, quarantineDir } = this.settings;
    if (dryRun) this.output.result(`invalid     ${file.path}  ${rejection.error}: ${rejection.message}`);
    else {
      const { httpStatus, error } = rejection;
      await this.record(file, local, { status: FileStatus.Rejected, httpStatus, error });
    }
    const movedTo =
      quarantineDir && !dryRun
        ? await quarantine(quarantineDir, file, local.size, local.sha256, rejection)
        : undefined;
    this.count(file, FileStatus.Rejected, local.size, rejection.error);
    if (this.rejections.length < LISTED_REJECTIONS)
      this.rejections.push({
        path: file.path,
        error: rejection.error,
        message: `${rejection.message}${firstDetail(rejection.details)}`,
        movedTo,
      });
  }

  /** A dry run sends nothing: it checks what the endpoint would check first (UTF-8 JSON). */
  private async dryRunCheck(file: FoundFile, local: LocalFile, bytes: Buffer): Promise<void> {
    try {
      parseJson(RawBody.of(bytes));
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      return this.reject(file, local, { error: err.code, message: err.message });
    }
    this.output.result(`would send  ${file.path}  ${local.size} B  device ${file.deviceId}`);
    this.count(file, FileStatus.Unsent, local.size, 'dry run');
  }

  /** The journal line for a file's final answer; resolves once it is on disk. */
  private record(
    file: FoundFile,
    local: LocalFile,
    answer: Pick<JournalEntry, 'status' | 'blob' | 'httpStatus' | 'error'>,
  ): Promise<void> {
    return this.journal.append({
      time: new Date().toISOString(),
      device: file.deviceId,
      path: file.path,
      size: local.size,
      sha256: local.sha256,
      ...answer,
    });
  }

  count(file: FoundFile, status: FileStatus, size: number, reason?: string): void {
    this.tally.count(file.deviceId, status, size, reason);
    this.output.progress.update();
  }
}

function tooLarge(size: number): Rejection {
  return {
    error: 'payload_too_large',
    message: `The file has ${size} bytes; the endpoint takes at most ${MAX_FILE_BYTES}.`,
  };
}

/** The endpoint's first detail (e.g. the failing JSON path) for the list at the end; the quarantine's .reason.json has them all. */
function firstDetail(details: unknown): string {
  const first = Array.isArray(details)
    ? (details[0] as { path?: unknown; message?: unknown } | undefined)
    : undefined;
  if (typeof first?.message !== 'string') return '';
  return ` (${typeof first.path === 'string' ? `${first.path}: ` : ''}${first.message})`;
}
