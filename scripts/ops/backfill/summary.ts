import { EXIT } from '../exitCodes';
import { FileStatus } from './types';

interface DeviceCounts {
  files: number;
  bytes: number;
  stored: number;
  duplicate: number;
  skipped: number;
  rejected: number;
  unsent: number;
  unjournaled: number;
  /** Rejections by error code. */
  rejectedBy: Map<string, number>;
  /** Why files were left unsent, by reason (one device-level reason, e.g. its key, is said once). */
  unsentBy: Map<string, number>;
}

/** The last stdout line with `--json`. */
export interface SummaryLine {
  files: number;
  stored: number;
  duplicate: number;
  rejected: number;
  unsent: number;
  /** Already acknowledged in the journal with the same size and SHA-256: not sent again. */
  skipped: number;
  /** Acknowledged (stored or duplicate) but their journal line could not be written: kept, resent next run. */
  unjournaled: number;
  /** Why the run stopped before the end (a fatal answer, an unwritable journal), or `interrupted`; null when it ran to the end. */
  stoppedEarly: string | null;
  dryRun?: true;
}

/** How a run ended, beside the counts: what the exit code and the summary must say. */
export interface RunEnd {
  /** A fatal stop's reason (endpoint misconfigured, journal unwritable, folder unreadable). */
  fatal?: string;
  interrupted: boolean;
}

const newCounts = (): DeviceCounts => ({
  files: 0,
  bytes: 0,
  stored: 0,
  duplicate: 0,
  skipped: 0,
  rejected: 0,
  unsent: 0,
  unjournaled: 0,
  rejectedBy: new Map(),
  unsentBy: new Map(),
});

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** Counts per device and in total; decides the exit code. */
export class Tally {
  private readonly devices = new Map<string, DeviceCounts>();
  readonly total = newCounts();

  count(deviceId: string, status: FileStatus, bytes: number, reason?: string): void {
    let device = this.devices.get(deviceId);
    if (!device) this.devices.set(deviceId, (device = newCounts()));
    for (const counts of [device, this.total]) {
      counts.files++;
      counts.bytes += bytes;
      counts[status]++;
      if (status === FileStatus.Rejected) bump(counts.rejectedBy, reason ?? 'rejected');
      if (status === FileStatus.Unsent) bump(counts.unsentBy, reason ?? 'unsent');
    }
  }

  /** An acknowledged file whose journal line could not be written (already counted as stored or duplicate). */
  unjournaled(deviceId: string): void {
    this.devices.get(deviceId)!.unjournaled++;
    this.total.unjournaled++;
  }

  /** Files the endpoint (or the journal, or the local check) has had its final word on: all but the unsent. */
  get settled(): number {
    return this.total.files - this.total.unsent;
  }

  /**
   * 2 when the run is incomplete (anything left to send, a stop before the end, an acknowledged file
   * whose journal line is missing: rerun), else 1 when something was refused, else 0.
   */
  exitCode(end: RunEnd): number {
    const { unsent, unjournaled, rejected } = this.total;
    if (unsent > 0 || unjournaled > 0 || end.fatal || end.interrupted) return EXIT.incomplete;
    if (rejected > 0) return EXIT.failed;
    return EXIT.ok;
  }

  line(end: RunEnd, dryRun = false): SummaryLine {
    const { files, stored, duplicate, rejected, unsent, skipped, unjournaled } = this.total;
    return {
      files,
      stored,
      duplicate,
      rejected,
      unsent,
      skipped,
      unjournaled,
      stoppedEarly: end.fatal ?? (end.interrupted ? 'interrupted' : null),
      ...(dryRun ? { dryRun: true as const } : {}),
    };
  }

  /** One row per device (sorted) and a total: the table an operator reads at the end. */
  table(dryRun = false): string {
    const columns: Array<[string, (c: DeviceCounts) => number | string]> = dryRun
      ? [
          ['files', (c) => c.files],
          ['would send', (c) => c.unsent],
          ['skipped', (c) => c.skipped],
          ['invalid', (c) => c.rejected],
        ]
      : [
          ['files', (c) => c.files],
          ['stored', (c) => c.stored],
          ['duplicate', (c) => c.duplicate],
          ['skipped', (c) => c.skipped],
          ['rejected', (c) => c.rejected],
          ['unsent', (c) => c.unsent],
        ];
    const row = (name: string, c: DeviceCounts) => [
      name,
      ...columns.map(([, value]) => String(value(c))),
      details(c, dryRun),
    ];
    const rows = [...this.devices.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, counts]) => row(name, counts));
    rows.push(row('total', this.total));
    const all = [['device', ...columns.map(([header]) => header), 'details'], ...rows];
    const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    const last = widths.length - 1;
    return all
      .map((r) =>
        r
          .map((cell, i) => (i === 0 || i === last ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  }
}

/** Codes in alphabetical order: with requests in parallel, arrival order is not the same twice. */
const byName = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function details(c: DeviceCounts, dryRun: boolean): string {
  const parts = byName(c.rejectedBy).map(([code, n]) => `${code} ${n}`);
  if (!dryRun) parts.push(...byName(c.unsentBy).map(([reason, n]) => `unsent: ${reason} ${n}`));
  return parts.join(', ');
}
