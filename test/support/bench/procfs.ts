/** What Linux says about a child process: resident memory, its peak, and the CPU it has used. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseMachineTicks, parseProcStatTicks, parseProcStatus } from './stats';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux build that matters here. */
const TICKS_PER_SECOND = 100;

export function memoryOf(pid: number): { rssBytes: number; peakBytes: number } {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Resets VmHWM to the current RSS (`5` > clear_refs, Linux 4.0+). False when not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU milliseconds (user + system) the process has used so far; NaN once it is gone. */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return (parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** CPU milliseconds the whole machine has been busy (all cores), and its capacity so far. */
export function machineCpuMs(): { busy: number; total: number } {
  const { busy, total } = parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  return { busy: (busy * 1000) / TICKS_PER_SECOND, total: (total * 1000) / TICKS_PER_SECOND };
}

/**
 * Waits (up to `maxMs`) until processes other than this one use less than `share` of the machine,
 * sampled over half a second; returns the last share seen. Called while the servers under test sit
 * idle, so whatever is busy then is someone else's.
 */
export async function waitForCalm(share: number, maxMs: number): Promise<number> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const machine = machineCpuMs();
    const self = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = machineCpuMs();
    const own = process.cpuUsage(self);
    const others =
      Math.max(0, after.busy - machine.busy - (own.user + own.system) / 1000) /
      Math.max(1, after.total - machine.total);
    if (others < share || Date.now() >= deadline) return others;
  }
}
