import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import { RequestError } from '../../../shared/errors';
import { parseJson } from '../../../shared/parseJson';
import { RawBody } from '../../../shared/rawBody';
import { EndpointClient } from './http';
import { Interleaver } from './interleave';
import { Journal, type JournalEntry } from './journal';
import type { KeyRing } from './keys';
import type { Progress } from './progress';
import { quarantine } from './quarantine';
import { type Backoff, DeviceGates } from './retryPolicy';
import { type IdempotencyMode, sendFile, type SenderSettings } from './sender';
import type { Tally } from './summary';
import { FileStatus, type FoundFile, type Rejection } from './types';
import { deviceStreams, walkFiles } from './walk';

/** The Functions host refuses larger bodies before the app sees them (and so would the endpoint). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Rejected files listed at the end; the journal (and the quarantine) hold them all. */
const LISTED_REJECTIONS = 1000;

export interface BackfillSettings {
  folder: string;
  /** `--device`: the whole folder is this device's. */
  device?: string;
  keys: KeyRing;
  /** Absent only for a dry run. */
  baseUrl?: URL;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  gzip: boolean;
  idempotency: IdempotencyMode;
  journalPath: string;
  quarantineDir?: string;
  deleteAcknowledged: boolean;
  dryRun: boolean;
  caPem?: string;
  backoff: Backoff;
}

export interface BackfillReport {
  /** Rejected files, for the list at the end (the first LISTED_REJECTIONS). */
  rejections: Array<{ path: string; error: string; message: string; movedTo?: string }>;
  /** What stopped the run early (endpoint misconfigured, journal unwritable, folder unreadable). */
  fatal?: string;
  interrupted: boolean;
  /** Failed attempts that were retried, by reason. */
  retries: Map<string, number>;
}

/** What the run prints as it goes: results to stdout, notices to stderr (above the bar). */
export interface BackfillOutput {
  progress: Progress;
  /** A line of results (the dry run's list). */
  result(line: string): void;
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Walks the folder, each device's files in path order (devices in turn, see Interleaver), and settles
 * each file, `concurrency` at a time: skip it if the journal already holds a 200 for these bytes,
 * else send it until the endpoint acknowledges or refuses it, journal the answer (durably) and only
 * then count it, quarantine or delete it. Interrupting (`signal`) or a fatal answer stops sending;
 * the files left are counted as unsent.
 */
export async function runBackfill(
  settings: BackfillSettings,
  tally: Tally,
  output: BackfillOutput,
  signal: AbortSignal,
): Promise<BackfillReport> {
  const journal = await Journal.open(settings.journalPath, { readOnly: settings.dryRun });
  const report: BackfillReport = {
    rejections: [],
    interrupted: false,
    retries: new Map(),
  };
  const { progress } = output;
  if (journal.contents.tornBytes > 0)
    progress.log(
      `journal: ignored an incomplete last line (${journal.contents.tornBytes} bytes, from a run that was cut off)`,
    );
  if (journal.contents.unreadable > 0)
    progress.log(
      `journal: ignored ${journal.contents.unreadable} unreadable line(s) in ${settings.journalPath}`,
    );

  // Our own stop: an interrupt, or a fatal answer that makes every further request pointless.
  const stop = new AbortController();
  const onInterrupt = () => {
    report.interrupted = true;
    stop.abort();
  };
  if (signal.aborted) onInterrupt();
  else signal.addEventListener('abort', onInterrupt, { once: true });
  const halt = (message: string) => {
    report.fatal ??= message;
    if (!stop.signal.aborted) progress.log(`stopping: ${message}`);
    stop.abort();
  };
  const stoppedReason = () => (report.fatal ? 'run stopped' : 'interrupted');

  const client = settings.baseUrl
    ? new EndpointClient(settings.baseUrl, settings.concurrency, settings.caPem)
    : undefined;
  const gates = new DeviceGates();
  const sender: Omit<SenderSettings, 'baseUrl' | 'client'> = {
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    gzip: settings.gzip,
    idempotency: settings.idempotency,
    backoff: settings.backoff,
    gates,
    signal: stop.signal,
    onRetry: (_file, reason) => report.retries.set(reason, (report.retries.get(reason) ?? 0) + 1),
  };
  /** Devices whose files are not sent, with the reason said once (no key, key refused). */
  const deviceStops = new Map<string, string>();
  const stopDevice = (deviceId: string, reason: string, notice: string) => {
    if (deviceStops.has(deviceId)) return;
    deviceStops.set(deviceId, reason);
    progress.log(notice);
  };

  const walkOptions = {
    device: settings.device,
    exclude: settings.quarantineDir ? [settings.quarantineDir] : [],
  };
  const counting = countFiles(settings.folder, walkOptions, progress, stop.signal);

  const count = (file: FoundFile, status: FileStatus, size: number, reason?: string) => {
    tally.count(file.deviceId, status, size, reason);
    progress.update();
  };

  /** The journal line for a file's final answer; resolves once it is on disk. */
  const record = (
    file: FoundFile,
    size: number,
    sha256: string,
    answer: Pick<JournalEntry, 'status' | 'blob' | 'httpStatus' | 'error'>,
  ) =>
    journal.append({
      time: new Date().toISOString(),
      device: file.deviceId,
      path: file.path,
      size,
      sha256,
      ...answer,
    });

  const reject = async (file: FoundFile, size: number, sha256: string, rejection: Rejection) => {
    if (settings.dryRun) output.result(`invalid     ${file.path}  ${rejection.error}: ${rejection.message}`);
    else {
      const { httpStatus, error } = rejection;
      await record(file, size, sha256, { status: FileStatus.Rejected, httpStatus, error });
    }
    const movedTo =
      settings.quarantineDir && !settings.dryRun
        ? await quarantine(settings.quarantineDir, file, size, sha256, rejection)
        : undefined;
    count(file, FileStatus.Rejected, size, rejection.error);
    if (report.rejections.length < LISTED_REJECTIONS)
      report.rejections.push({
        path: file.path,
        error: rejection.error,
        message: `${rejection.message}${firstDetail(rejection.details)}`,
        movedTo,
      });
  };

  const settle = async (file: FoundFile): Promise<void> => {
    if (stop.signal.aborted) return count(file, FileStatus.Unsent, 0, stoppedReason());
    const key = settings.keys.keyFor(file.deviceId);
    if (!settings.dryRun && !file.problem) {
      if (key === undefined)
        stopDevice(
          file.deviceId,
          'no key',
          `${file.deviceId}: no key in ${settings.keys.source}; its files are not sent.`,
        );
      const stopped = deviceStops.get(file.deviceId);
      if (stopped) return count(file, FileStatus.Unsent, 0, stopped);
    }

    let size: number;
    try {
      size = (await stat(file.absolutePath)).size;
    } catch (err) {
      // Gone since the walk listed it (another run with --delete-acknowledged, an operator).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return progress.log(`${file.path}: vanished; not counted`);
      throw err;
    }
    if (size > MAX_FILE_BYTES) {
      const rejection = {
        error: 'payload_too_large',
        message: `The file has ${size} bytes; the endpoint takes at most ${MAX_FILE_BYTES}.`,
      };
      return reject(file, size, await sha256OfFile(file.absolutePath), rejection);
    }
    const bytes = await readFile(file.absolutePath);
    const sha256 = sha256Of(bytes);
    if (file.problem) return reject(file, size, sha256, file.problem);
    if (journal.isAcknowledged(file.deviceId, file.path, size, sha256)) {
      // The journal proves a 200 for these very bytes.
      if (settings.deleteAcknowledged && !settings.dryRun) await unlink(file.absolutePath);
      return count(file, FileStatus.Skipped, size);
    }
    if (settings.dryRun) return dryRunCheck(file, bytes, size, sha256);

    const result = await sendFile(file, bytes, sha256, key!, {
      ...sender,
      baseUrl: settings.baseUrl!,
      client: client!,
    });
    switch (result.kind) {
      case 'acknowledged':
        try {
          await record(file, size, sha256, { status: result.status, blob: result.blob });
        } catch (err) {
          // The endpoint has the file; only the original must stay, as nothing records the 200.
          halt(
            `cannot write the journal ${settings.journalPath}: ${(err as NodeJS.ErrnoException).code ?? err}`,
          );
          return count(file, result.status, size);
        }
        if (settings.deleteAcknowledged) await unlink(file.absolutePath);
        return count(file, result.status, size);
      case 'rejected':
        return reject(file, size, sha256, result.rejection);
      case 'authFailed': {
        const reason = `${result.httpStatus} ${result.error}`;
        stopDevice(
          file.deviceId,
          reason,
          `${file.deviceId}: ${reason} (${result.message}). The device key is wrong or revoked; its remaining files are not sent.`,
        );
        return count(file, FileStatus.Unsent, size, reason);
      }
      case 'unsent':
        if (!stop.signal.aborted) progress.log(`${file.path}: not sent: ${result.reason}`);
        return count(
          file,
          FileStatus.Unsent,
          size,
          stop.signal.aborted ? stoppedReason() : 'retries exhausted',
        );
      case 'fatal':
        halt(result.message);
        return count(file, FileStatus.Unsent, size, stoppedReason());
    }
  };

  const dryRunCheck = async (file: FoundFile, bytes: Buffer, size: number, sha256: string) => {
    try {
      parseJson(RawBody.of(bytes));
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      return reject(file, size, sha256, { error: err.code, message: err.message });
    }
    output.result(`would send  ${file.path}  ${size} B  device ${file.deviceId}`);
    count(file, FileStatus.Unsent, size, 'dry run');
  };

  // A dry run reads local files only: one at a time, it lists them in path order.
  const workers = settings.dryRun ? 1 : settings.concurrency;
  const files = new Interleaver(deviceStreams(settings.folder, walkOptions), workers, (id) =>
    gates.isOpen(id),
  );
  const worker = async () => {
    for (;;) {
      let file: FoundFile | undefined;
      try {
        file = await files.next();
      } catch (err) {
        return halt(`cannot read the folder: ${(err as Error).message}`);
      }
      if (!file) return;
      try {
        await settle(file);
      } catch (err) {
        // A local failure on one file (unreadable, quarantine not writable) leaves it for the next run.
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
        progress.log(`${file.path}: not settled: ${(err as Error).message}`);
        count(file, FileStatus.Unsent, 0, `local error ${code}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal.removeEventListener('abort', onInterrupt);
    stop.abort();
    await counting;
    client?.close();
    await journal.close();
  }
  return report;
}

/** Counts the files ahead of the senders, for the bar's total and ETA (a second, cheap walk). */
async function countFiles(
  folder: string,
  options: Parameters<typeof walkFiles>[1],
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  let n = 0;
  try {
    const files = walkFiles(folder, options);
    while (!(await files.next()).done) {
      if (signal.aborted) return;
      if (++n % 500 === 0) progress.total(n, false);
    }
    progress.total(n, true);
  } catch {
    // The sending walk reports an unreadable folder; this one only feeds the bar.
  }
}

/** The endpoint's first detail (e.g. the failing JSON path) for the list at the end; the quarantine's .reason.json has them all. */
function firstDetail(details: unknown): string {
  const first = Array.isArray(details)
    ? (details[0] as { path?: unknown; message?: unknown } | undefined)
    : undefined;
  if (typeof first?.message !== 'string') return '';
  return ` (${typeof first.path === 'string' ? `${first.path}: ` : ''}${first.message})`;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
