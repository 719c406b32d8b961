/** The report the three formats share, and its terminal and JSON forms. */
import type { DeviceCoverage } from '../../../shared/coverage';

export interface CoverageReport {
  from: string;
  to: string;
  generatedAt: string;
  clockToleranceSeconds: number;
  devices: DeviceCoverage[];
}

/** The documented `--json` shape: everything but the per-hour counts (those are the heatmap's). */
export function toJson(report: CoverageReport): object {
  return {
    from: report.from,
    to: report.to,
    devices: report.devices.map(({ perHour: _perHour, ...device }) => device),
  };
}

const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

/** A compact table: coverage per device with its gaps (longest first), then the clock warnings. */
export function formatTerminal(report: CoverageReport, maxGapsShown = 3): string {
  const lines = [
    `Coverage ${report.from} .. ${report.to} (UTC, whole hours), ${report.devices.length} devices`,
    '',
  ];
  const idWidth = Math.max(6, ...report.devices.map((d) => d.deviceId.length));
  lines.push(
    `${pad('device', idWidth)}  ${padLeft('files', 7)}  ${padLeft('readings', 9)}  ${padLeft('coverage', 15)}  gaps (longest first)`,
  );
  for (const d of report.devices) {
    const pct = d.hoursInRange ? ((100 * d.hoursCovered) / d.hoursInRange).toFixed(1) : '-';
    const gaps = d.gaps
      .slice(0, maxGapsShown)
      .map((g) => `${g.from.slice(0, 13)}Z +${g.hours}h`)
      .join(', ');
    const more = d.gaps.length > maxGapsShown ? ` (+${d.gaps.length - maxGapsShown} more)` : '';
    lines.push(
      `${pad(d.deviceId, idWidth)}  ${padLeft(String(d.files), 7)}  ${padLeft(String(d.readings), 9)}  ${padLeft(`${pct}% ${d.hoursCovered}/${d.hoursInRange}`, 15)}  ${gaps || 'none'}${more}`,
    );
  }
  const clocks = report.devices.filter((d) => d.clock.aheadFiles + d.clock.behindFiles > 0);
  lines.push(
    '',
    clocks.length
      ? `Clock warnings (tolerance ${report.clockToleranceSeconds} s):`
      : `No clock off by more than ${report.clockToleranceSeconds} s.`,
  );
  for (const d of clocks) {
    const parts = [];
    if (d.clock.aheadFiles)
      parts.push(`${d.clock.aheadFiles} file(s) ahead, up to ${d.clock.maxAheadSeconds} s`);
    if (d.clock.behindFiles)
      parts.push(`${d.clock.behindFiles} file(s) behind, up to ${d.clock.maxBehindSeconds} s`);
    lines.push(`  ${d.deviceId}: ${parts.join('; ')}`);
  }
  return lines.join('\n');
}
