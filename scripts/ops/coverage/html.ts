/**
 * The coverage report as one self-contained HTML file: inline CSS, no script, nothing fetched at
 * view time. The heatmap across the page (heatmap.ts), a legend saying what each shade and pattern
 * means, the device table, and per device a `<details>` with everything hovering shows
 * (deviceDetails.ts). Colours and patterns: palette.ts.
 */
import { humanDuration, wholeHours } from '../../../shared/coverage';
import { deviceDetails, clockText } from './deviceDetails';
import { escape, heatmap } from './heatmap';
import { COUNT_STEPS, CSS, countSteps } from './palette';
import { type CoverageReport, coveragePercent, delayText } from './report';

function legend(report: CoverageReport, max: number): string {
  const item = (cls: string, text: string) =>
    `<li><span class="sw ${cls}" aria-hidden="true"></span>${text}</li>`;
  const counts = countSteps(max).map(({ step, lowest, highest }) =>
    item(`s${step}`, lowest === highest ? `${lowest}` : `${lowest}–${highest}`),
  );
  const withReference = report.reference !== undefined;
  const states = withReference
    ? [
        item('scale', 'both have readings'),
        item(`s${COUNT_STEPS.length - 2} filled`, 'filled by JSON (a historian gap)'),
        item('ref', 'historian only'),
        item('gap', 'still missing (neither)'),
        item('reset', 'clock reset (files arrived, readings stamped elsewhere)'),
      ]
    : [
        item('gap', 'gap (no readings)'),
        item('reset', 'clock reset (files arrived, readings stamped elsewhere)'),
      ];
  return `<p id="legend">Each row is a device, each column a UTC hour. Shade: readings in that hour by the device's own times (darker is more; the busiest hour has ${max}):</p>
<ul class="legend legend-counts">${counts.join('')}</ul>
<ul class="legend legend-states">${states.join('')}</ul>`;
}

function summaryTable(report: CoverageReport): string {
  const withReference = report.reference !== undefined;
  const rows = report.devices.map((d) => {
    const ref = d.reference
      ? `<td class="num">${d.reference.hoursFilled}</td><td class="num">${d.reference.hoursStillMissing}</td>`
      : '';
    return `<tr><td><a href="#device-${escape(d.deviceId)}">${escape(d.deviceId)}</a></td><td class="num">${d.files}</td><td class="num">${d.readings}</td><td class="num">${d.hoursCovered}/${d.hoursInRange}</td><td class="num">${coveragePercent(d)}%</td><td class="num">${d.gaps.length}</td>${ref}<td>${escape(delayText(d))}</td><td>${escape(clockText(d, report))}</td></tr>`;
  });
  const refHead = withReference
    ? '<th class="num">filled (h)</th><th class="num">still missing (h)</th>'
    : '';
  return `<table><thead><tr><th>device</th><th class="num">files</th><th class="num">readings</th><th class="num">hours covered</th><th class="num">coverage</th><th class="num">gaps</th>${refHead}<th>delay (median, max)</th><th>clock</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderHtml(report: CoverageReport): string {
  const firstHour = wholeHours({ from: new Date(report.from), to: new Date(report.to) }).first;
  // A loop, not Math.max(...): a year of hours for 50 devices is more arguments than a call takes.
  let max = 1;
  for (const d of report.devices) for (const n of d.perHour) if (n > max) max = n;
  const against = report.reference
    ? ` · against ${escape(report.reference.file)} (${report.reference.rows} rows)`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Telemetry coverage ${escape(report.from)} – ${escape(report.to)}</title>
<style>${CSS}</style></head><body>
<h1>Telemetry coverage</h1>
<p class="meta">${escape(report.from)} to ${escape(report.to)} (UTC, whole hours) · ${report.devices.length} devices · clock tolerance ${humanDuration(report.clockToleranceSeconds)}, floor ${escape(report.clockFloor.slice(0, 10))}${against} · generated ${escape(report.generatedAt)}</p>
${legend(report, max)}
${heatmap(report, firstHour, max)}
<h2>Devices</h2>${summaryTable(report)}
<h2>Each device: gaps, clock and delay</h2>
${deviceDetails(report)}
</body></html>
`;
}
