import { MultiBar, type SingleBar } from 'cli-progress';
import type { Tally } from './summary';

/** Where the run reports as it goes: a bar on a terminal, otherwise a line per 1,000 files. */
export interface Progress {
  /** The walk that counts the files found some more (`final`: it has seen them all). */
  total(files: number, final: boolean): void;
  /** A file is done (any outcome); the tally already counts it. */
  update(): void;
  /** A message that must not be drawn over by the bar (stderr). */
  log(line: string): void;
  stop(): void;
}

/** What the run prints as it goes: results to stdout, notices to stderr (above the bar). */
export interface BackfillOutput {
  progress: Progress;
  /** A line of results (the dry run's list). */
  result(line: string): void;
}

export const LINE_EVERY_FILES = 1000;

/** 42s, 3m05s, 2h07m. */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function counts(tally: Tally): string {
  const t = tally.total;
  return `stored ${t.stored}, duplicate ${t.duplicate}, skipped ${t.skipped}, rejected ${t.rejected}, unsent ${t.unsent}`;
}

/**
 * The bar (cli-progress, on stderr so stdout keeps only results): files settled (acknowledged,
 * skipped or rejected) of those found, bytes, files/s, ETA and the counts. The caller draws it only
 * when stdout and stderr are terminals and not `--quiet`; otherwise a line per 1,000 files.
 */
export function createProgress(
  tally: Tally,
  options: { bar: boolean; stream?: NodeJS.WriteStream },
): Progress {
  const stream = options.stream ?? process.stderr;
  const started = Date.now();
  const rate = () => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? (tally.settled / seconds).toFixed(1) : '0.0';
  };
  if (!options.bar) {
    let printed = 0;
    return {
      total: () => undefined,
      update() {
        if (tally.settled - printed < LINE_EVERY_FILES) return;
        printed = tally.settled - (tally.settled % LINE_EVERY_FILES);
        stream.write(
          `backfill: ${printed} files, ${mib(tally.total.bytes)}, ${rate()} files/s (${counts(tally)})\n`,
        );
      },
      log: (line) => stream.write(`${line}\n`),
      stop: () => undefined,
    };
  }

  const multibar = new MultiBar({
    stream,
    format:
      '{bar} {value}/{total}{more} files | {mib} | {rate} files/s | ETA {etaText} | ' +
      'stored {stored} dup {duplicate} skip {skipped} rej {rejected} unsent {unsent}',
    hideCursor: true,
    barsize: 24,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    fps: 5,
    // Interrupted runs print their summary; the bar's own SIGINT handler would exit first.
    gracefulExit: false,
  });
  let known = 0;
  let more = '+';
  // Our own ETA from the average rate: cli-progress's own says "INF" once files stop settling (Ctrl-C).
  const etaText = () => {
    const seconds = (Date.now() - started) / 1000;
    const left = Math.max(known, tally.total.files) - tally.total.files;
    if (left === 0 && more === '') return '0s';
    if (tally.settled === 0 || more === '+') return '?';
    return duration((left * seconds) / tally.settled);
  };
  const payload = () => ({
    mib: mib(tally.total.bytes),
    rate: rate(),
    more,
    etaText: etaText(),
    ...tally.total,
  });
  const bar: SingleBar = multibar.create(0, 0, payload());
  return {
    total(files, final) {
      known = files;
      more = final ? '' : '+';
      bar.setTotal(Math.max(known, tally.total.files));
      bar.update(payload());
    },
    update() {
      if (tally.total.files > known) bar.setTotal(tally.total.files);
      bar.update(tally.settled, payload());
    },
    log: (line) => multibar.log(`${line}\n`),
    stop() {
      bar.update(tally.settled, payload());
      // Lines logged since the last frame are printed by a redraw, which stop() alone does not do.
      multibar.update();
      multibar.stop();
    },
  };
}
