/** The report the three formats share, and its terminal and JSON forms. */
import { type DeviceCoverage, type Gap, humanDuration } from '../../../shared/coverage';

export interface CoverageReport {
  from: string;
  to: string;
  generatedAt: string;
  clockToleranceSeconds: number;
  /** Device times before this are a clock reset. */
  clockFloor: string;
  /** With --reference: the file and how many rows it had. */
  reference?: { file: string; rows: number };
  devices: DeviceCoverage[];
}

/** The documented `--json` shape: everything but the per-hour arrays (those are the heatmap's). */
export function toJson(report: CoverageReport): object {
  return {
    from: report.from,
    to: report.to,
    devices: report.devices.map(
      ({ perHour: _p, resetFilesPerHour: _r, referencePerHour: _h, ...device }) => device,
    ),
  };
}

const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

/** `2026-11-20T10Z +3h, ...`: the first few runs, and how many more. */
export function runsText(runs: readonly Gap[], shown = 3): string {
  const text = runs
    .slice(0, shown)
    .map((g) => `${g.from.slice(0, 13)}Z +${g.hours}h`)
    .join(', ');
  return `${text || 'none'}${runs.length > shown ? ` (+${runs.length - shown} more)` : ''}`;
}

export function coveragePercent(d: DeviceCoverage): string {
  return d.hoursInRange ? ((100 * d.hoursCovered) / d.hoursInRange).toFixed(1) : '-';
}

/** `2 s, 2 d 0 h`: the median and the longest wait; `-` without files that carry times. */
export function delayText(d: DeviceCoverage): string {
  const delay = d.clock.delay;
  return delay ? `${humanDuration(delay.medianSeconds)}, ${humanDuration(delay.maxSeconds)}` : '-';
}

/** What is wrong with a device's clock, in words; empty when nothing is. */
export function clockWarnings(d: DeviceCoverage, clockFloor: string): string[] {
  const c = d.clock;
  const warnings: string[] = [];
  if (c.aheadFiles) warnings.push(`${c.aheadFiles} file(s) ahead, up to ${humanDuration(c.maxAheadSeconds)}`);
  if (c.behindFiles)
    warnings.push(
      `behind by ${humanDuration(c.maxBehindSeconds)} or more: all ${c.behindFiles} file(s), even the freshest`,
    );
  if (c.resetFiles)
    warnings.push(
      `${c.resetFiles} file(s) with a reset clock (times before ${clockFloor.slice(0, 10)} or over a day ahead)${d.resets.length ? `, received ${runsText(d.resets)}` : ''}`,
    );
  return warnings;
}

/** A compact table: coverage per device with its gaps (longest first), then the clock warnings. */
export function formatTerminal(report: CoverageReport): string {
  const withReference = report.reference !== undefined;
  const lines = [
    `Coverage ${report.from} .. ${report.to} (UTC, whole hours), ${report.devices.length} devices${withReference ? `, against ${report.reference!.file}` : ''}`,
    '',
  ];
  const idWidth = Math.max(6, ...report.devices.map((d) => d.deviceId.length));
  const referenceHead = withReference ? `  ${padLeft('filled', 6)}  ${padLeft('still missing', 13)}` : '';
  lines.push(
    `${pad('device', idWidth)}  ${padLeft('files', 7)}  ${padLeft('readings', 9)}  ${padLeft('coverage', 15)}  ${pad('delay (median, max)', 22)}${referenceHead}  gaps (longest first)`,
  );
  for (const d of report.devices) {
    const ref = d.reference
      ? `  ${padLeft(`${d.reference.hoursFilled}h`, 6)}  ${padLeft(`${d.reference.hoursStillMissing}h`, 13)}`
      : '';
    lines.push(
      `${pad(d.deviceId, idWidth)}  ${padLeft(String(d.files), 7)}  ${padLeft(String(d.readings), 9)}  ${padLeft(`${coveragePercent(d)}% ${d.hoursCovered}/${d.hoursInRange}`, 15)}  ${pad(delayText(d), 22)}${ref}  ${runsText(d.gaps)}`,
    );
  }
  return [...lines, '', ...clockSection(report), ...stillMissingSection(report)].join('\n');
}

function clockSection(report: CoverageReport): string[] {
  const tolerance = humanDuration(report.clockToleranceSeconds);
  const warned = report.devices
    .map((d) => ({ d, warnings: clockWarnings(d, report.clockFloor) }))
    .filter(({ warnings }) => warnings.length > 0);
  if (warned.length === 0) return [`No clock off by more than ${tolerance}, and no clock reset.`];
  return [
    `Clock warnings (tolerance ${tolerance}):`,
    ...warned.map(({ d, warnings }) => `  ${d.deviceId}: ${warnings.join('; ')}`),
  ];
}

function stillMissingSection(report: CoverageReport): string[] {
  if (!report.reference) return [];
  const missing = report.devices.filter((d) => d.reference!.stillMissing.length > 0);
  return [
    '',
    missing.length
      ? 'Still missing (neither the historian nor the JSON path has a reading), longest first:'
      : 'Nothing still missing: every hour is in the historian or the JSON path.',
    ...missing.map((d) => `  ${d.deviceId}: ${runsText(d.reference!.stillMissing)}`),
  ];
}
