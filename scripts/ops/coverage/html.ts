/**
 * The coverage report as one self-contained HTML file: inline CSS and SVG, no script, nothing
 * fetched at view time. One row per device, one column per hour (days marked), colour = readings
 * in that hour, gaps in a colour of their own; every cell's title says what it holds.
 */
import { HOUR_MS, wholeHours } from '../../../shared/coverage';
import type { CoverageReport } from './report';

const ROW_H = 16;
const LABEL_W = 150;
const HEAD_H = 34;

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Light to dark green by readings, on a log scale up to the busiest hour. */
function colour(count: number, max: number): string {
  const t = Math.log1p(count) / Math.log1p(Math.max(max, 1));
  const lightness = Math.round(85 - 55 * t);
  return `hsl(140 55% ${lightness}%)`;
}

function hourLabel(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString().slice(0, 13).replace('T', ' ') + ':00Z';
}

/** About 1,200 px for the whole range: a day gets wide hours, a month 2-px ones (zoom in to read). */
function cellWidth(hours: number): number {
  return Math.min(24, Math.max(2, Math.floor(1200 / Math.max(hours, 1))));
}

function heatmap(report: CoverageReport): string {
  const hours = report.devices[0]?.perHour.length ?? 0;
  const CELL_W = cellWidth(hours);
  const firstHour = wholeHours({ from: new Date(report.from), to: new Date(report.to) }).first;
  const max = Math.max(1, ...report.devices.flatMap((d) => d.perHour));
  const width = LABEL_W + hours * CELL_W + 10;
  const height = HEAD_H + report.devices.length * ROW_H + 10;
  const parts: string[] = [];
  // Day marks: a label at each UTC midnight (every few days when the range is long).
  const dayStep = hours / 24 > 45 ? 7 : hours / 24 > 16 ? 2 : 1;
  for (let i = 0; i < hours; i++) {
    const hour = firstHour + i;
    const x = LABEL_W + i * CELL_W;
    // Short ranges get a tick every 6 hours as well.
    if (hour % 24 !== 0) {
      if (CELL_W >= 12 && hour % 6 === 0)
        parts.push(
          `<text x="${x + 2}" y="${HEAD_H - 10}" class="dlabel">${hourLabel(hour).slice(11, 16)}</text>`,
        );
      continue;
    }
    parts.push(`<line x1="${x}" y1="${HEAD_H - 6}" x2="${x}" y2="${height - 10}" class="day"/>`);
    if ((hour / 24) % dayStep === 0)
      parts.push(
        `<text x="${x + 2}" y="${HEAD_H - 10}" class="dlabel">${hourLabel(hour).slice(5, 10)}</text>`,
      );
  }
  report.devices.forEach((device, row) => {
    const y = HEAD_H + row * ROW_H;
    parts.push(
      `<text x="${LABEL_W - 6}" y="${y + ROW_H - 4}" class="device">${escape(device.deviceId)}</text>`,
    );
    // Runs of empty hours are one rect each (a gap), busy hours one rect per hour.
    for (let i = 0; i < device.perHour.length;) {
      const count = device.perHour[i]!;
      const x = LABEL_W + i * CELL_W;
      if (count > 0) {
        const title = `${escape(device.deviceId)} · ${hourLabel(firstHour + i)} · ${count} reading${count === 1 ? '' : 's'}`;
        parts.push(
          `<rect x="${x}" y="${y}" width="${CELL_W}" height="${ROW_H - 3}" fill="${colour(count, max)}"><title>${title}</title></rect>`,
        );
        i++;
        continue;
      }
      let j = i;
      while (j < device.perHour.length && device.perHour[j] === 0) j++;
      const title = `${escape(device.deviceId)} · gap ${hourLabel(firstHour + i)} – ${hourLabel(firstHour + j)} · ${j - i} h without readings`;
      parts.push(
        `<rect x="${x}" y="${y}" width="${(j - i) * CELL_W}" height="${ROW_H - 3}" class="gap"><title>${title}</title></rect>`,
      );
      i = j;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="readings per device and hour">${parts.join('')}</svg>`;
}

function gapTable(report: CoverageReport): string {
  const rows = report.devices.flatMap((d) =>
    d.gaps.map(
      (g) =>
        `<tr><td>${escape(d.deviceId)}</td><td>${g.from}</td><td>${g.to}</td><td class="num">${g.hours}</td></tr>`,
    ),
  );
  return rows.length
    ? `<table><thead><tr><th>device</th><th>gap from</th><th>to (exclusive)</th><th>hours</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p>No gaps.</p>';
}

function clockTable(report: CoverageReport): string {
  const rows = report.devices
    .filter((d) => d.clock.aheadFiles + d.clock.behindFiles > 0)
    .map(
      (d) =>
        `<tr><td>${escape(d.deviceId)}</td><td class="num">${d.clock.aheadFiles}</td><td class="num">${d.clock.maxAheadSeconds}</td><td class="num">${d.clock.behindFiles}</td><td class="num">${d.clock.maxBehindSeconds}</td></tr>`,
    );
  return rows.length
    ? `<table><thead><tr><th>device</th><th>files ahead</th><th>max ahead (s)</th><th>files behind</th><th>max behind (s)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : `<p>No clock off by more than ${report.clockToleranceSeconds} s.</p>`;
}

function summaryTable(report: CoverageReport): string {
  const rows = report.devices.map((d) => {
    const pct = d.hoursInRange ? ((100 * d.hoursCovered) / d.hoursInRange).toFixed(1) : '-';
    return `<tr><td>${escape(d.deviceId)}</td><td class="num">${d.files}</td><td class="num">${d.readings}</td><td class="num">${d.hoursCovered}/${d.hoursInRange}</td><td class="num">${pct}%</td><td class="num">${d.gaps.length}</td></tr>`;
  });
  return `<table><thead><tr><th>device</th><th>files</th><th>readings</th><th>hours covered</th><th>coverage</th><th>gaps</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderHtml(report: CoverageReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Telemetry coverage ${escape(report.from)} – ${escape(report.to)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2433}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#5b6474;margin:0 0 16px}
.scroll{overflow-x:auto;border:1px solid #d8dde6;padding:8px;background:#fff}
svg text{font:11px system-ui,sans-serif;fill:#1d2433}
svg .device{text-anchor:end}svg .dlabel{fill:#5b6474}
svg .day{stroke:#c3cad6;stroke-width:.5}
svg .gap{fill:#f4c7c3}
.legend span{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
table{border-collapse:collapse;margin:4px 0}th,td{border-bottom:1px solid #e3e7ee;padding:3px 10px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
</style></head><body>
<h1>Telemetry coverage</h1>
<p class="meta">${escape(report.from)} to ${escape(report.to)} (UTC, whole hours) · ${report.devices.length} devices · clock tolerance ${report.clockToleranceSeconds} s · generated ${escape(report.generatedAt)}</p>
<p class="legend">Each row is a device, each column an hour.<span style="background:#f4c7c3"></span>no readings (gap)<span style="background:${colour(1, 100)}"></span>few readings<span style="background:${colour(100, 100)}"></span>the busiest hour</p>
<div class="scroll">${heatmap(report)}</div>
<h2>Devices</h2>${summaryTable(report)}
<h2>Gaps (longest first)</h2>${gapTable(report)}
<h2>Clock warnings</h2>${clockTable(report)}
</body></html>
`;
}
