import { Presets, SingleBar } from 'cli-progress';
import type { SyncProgress } from './syncContainer';

/** A download bar on stderr when stderr is a terminal; nothing otherwise (logs, CI, pipes). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): SyncProgress | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar(
    { stream, format: 'downloading [{bar}] {value}/{total} files | {eta_formatted} left', hideCursor: true },
    Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0),
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
