/**
 * A backfill run: walks the folder, each device's files in path order (devices in turn, see
 * Interleaver), and settles each file (settle.ts), `concurrency` at a time. Interrupting (`signal`)
 * or a fatal answer stops sending (runStop.ts); the files left are counted as unsent.
 */
import { EndpointClient } from './http';
import { Interleaver } from './interleave';
import { Journal } from './journal';
import type { BackfillSettings } from './options';
import type { BackfillOutput, Progress } from './progress';
import { DeviceGates } from './retryPolicy';
import { RunStop } from './runStop';
import { sendFile } from './sender';
import { FileSettler, type ListedRejection, type SendToEndpoint } from './settle';
import type { Tally } from './summary';
import type { FoundFile } from './types';
import { deviceStreams, walkFiles, type WalkOptions } from './walk';

export interface BackfillReport {
  /** Rejected files, for the list at the end (the first 1,000). */
  rejections: ListedRejection[];
  /** What stopped the run early (endpoint misconfigured, journal unwritable, folder unreadable). */
  fatal?: string;
  interrupted: boolean;
  /** Failed attempts that were retried, by reason. */
  retries: Map<string, number>;
}

export async function runBackfill(
  settings: BackfillSettings,
  tally: Tally,
  output: BackfillOutput,
  signal: AbortSignal,
): Promise<BackfillReport> {
  const journal = await openJournal(settings, output.progress);
  const stop = new RunStop((line) => output.progress.log(line));
  const unfollow = stop.follow(signal);
  const endpoint = new Endpoint(settings, stop);
  const settler = new FileSettler(settings, tally, output, journal, stop, endpoint.send);
  const walk: WalkOptions = {
    device: settings.device,
    exclude: settings.quarantineDir ? [settings.quarantineDir] : [],
  };
  const counting = countFiles(settings.folder, walk, output.progress, stop.signal);
  // A dry run reads local files only: one at a time, it lists them in path order.
  const workers = settings.dryRun ? 1 : settings.concurrency;
  const files = new Interleaver(deviceStreams(settings.folder, walk), workers, (id) =>
    endpoint.gates.isOpen(id),
  );
  try {
    await settleAll(files, workers, settler, stop);
  } finally {
    unfollow();
    stop.end();
    await counting;
    endpoint.close();
    await journal.close();
  }
  const { interrupted, fatal } = stop;
  return { rejections: settler.rejections, fatal, interrupted, retries: endpoint.retries };
}

/** Opens the journal (read-only for a dry run), saying what it ignored of an earlier run's. */
async function openJournal(settings: BackfillSettings, progress: Progress): Promise<Journal> {
  const journal = await Journal.open(settings.journalPath, { readOnly: settings.dryRun });
  const { tornBytes, unreadable } = journal.contents;
  if (tornBytes > 0)
    progress.log(
      `journal: ignored an incomplete last line (${tornBytes} bytes, from a run that was cut off)`,
    );
  if (unreadable > 0)
    progress.log(`journal: ignored ${unreadable} unreadable line(s) in ${settings.journalPath}`);
  return journal;
}

/** `workers` senders take files from the interleaver until it runs dry or the folder cannot be read. */
async function settleAll(files: Interleaver, workers: number, settler: FileSettler, stop: RunStop) {
  const worker = async () => {
    for (;;) {
      let file: FoundFile | undefined;
      try {
        file = await files.next();
      } catch (err) {
        return stop.halt(`cannot read the folder: ${(err as Error).message}`);
      }
      if (!file) return;
      await settler.settleOrLeave(file);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

/** The endpoint as the run sees it: one connection pool, the devices' 429 gates, the retry count. */
class Endpoint {
  readonly gates = new DeviceGates();
  /** Failed attempts that were retried, by reason. */
  readonly retries = new Map<string, number>();
  private readonly client?: EndpointClient;

  constructor(
    private readonly settings: BackfillSettings,
    private readonly stop: RunStop,
  ) {
    if (settings.baseUrl)
      this.client = new EndpointClient(settings.baseUrl, settings.concurrency, settings.caPem);
  }

  readonly send: SendToEndpoint = (file, bytes, sha256, key) =>
    sendFile(file, bytes, sha256, key, {
      baseUrl: this.settings.baseUrl!,
      client: this.client!,
      timeoutMs: this.settings.timeoutMs,
      maxAttempts: this.settings.maxAttempts,
      gzip: this.settings.gzip,
      idempotency: this.settings.idempotency,
      backoff: this.settings.backoff,
      gates: this.gates,
      signal: this.stop.signal,
      onRetry: (_file, reason) => this.retries.set(reason, (this.retries.get(reason) ?? 0) + 1),
    });

  close(): void {
    this.client?.close();
  }
}

/** Counts the files ahead of the senders, for the bar's total and ETA (a second, cheap walk). */
async function countFiles(
  folder: string,
  options: WalkOptions,
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
