/**
 * What the heatmap shows on hover, reachable without a mouse: one `<details>` per device (a
 * keyboard focuses and opens it; the heatmap's device names link to it) with its figures, its clock
 * verdict and delay in words, and its gaps, resets and still-missing hours as tables.
 */
import { type DeviceCoverage, type Gap, humanDuration } from '../../../shared/coverage';
import { escape } from './heatmap';
import { clockWarnings, coveragePercent, type CoverageReport } from './report';

function spans(caption: string, runs: readonly Gap[]): string {
  if (runs.length === 0) return '';
  const rows = runs.map((g) => `<tr><td>${g.from}</td><td>${g.to}</td><td class="num">${g.hours}</td></tr>`);
  return `<table><caption>${caption}</caption><thead><tr><th>from</th><th>to (exclusive)</th><th class="num">hours</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The clock in one line of words. */
export function clockText(d: DeviceCoverage, report: CoverageReport): string {
  const warnings = clockWarnings(d, report.clockFloor);
  if (warnings.length) return warnings.join('; ');
  return `no clock off by more than ${humanDuration(report.clockToleranceSeconds)}`;
}

function delayFacts(d: DeviceCoverage): string {
  const delay = d.clock.delay;
  if (!delay) return 'no file with a time of its own';
  return `min ${humanDuration(delay.minSeconds)}, median ${humanDuration(delay.medianSeconds)}, max ${humanDuration(delay.maxSeconds)}${delay.minSeconds < 0 ? ' (negative: the clock ran ahead)' : ''}`;
}

function referenceFacts(d: DeviceCoverage): string {
  const r = d.reference;
  if (!r) return '';
  return `<dt>Against the historian</dt><dd>both ${r.hoursBoth} h · filled by JSON ${r.hoursFilled} h · historian only ${r.hoursReferenceOnly} h · still missing ${r.hoursStillMissing} h</dd>`;
}

function facts(d: DeviceCoverage, report: CoverageReport): string {
  const warned = clockWarnings(d, report.clockFloor).length > 0;
  return `<dl class="facts">
<dt>Files</dt><dd>${d.files} (${d.orphaned} orphaned, ${d.pending} pending)</dd>
<dt>Readings</dt><dd>${d.readings} in ${d.hoursCovered} of ${d.hoursInRange} hours (${coveragePercent(d)} %)</dd>
<dt>Clock</dt><dd${warned ? ' class="warn"' : ''}>${escape(clockText(d, report))}</dd>
<dt>Delay (receipt minus the file's own time)</dt><dd>${delayFacts(d)}</dd>
${referenceFacts(d)}</dl>`;
}

function summaryLine(d: DeviceCoverage, report: CoverageReport): string {
  const warned = clockWarnings(d, report.clockFloor).length > 0;
  const parts = [
    `${coveragePercent(d)} % of hours`,
    `${d.gaps.length} gap${d.gaps.length === 1 ? '' : 's'}`,
    ...(d.reference ? [`${d.reference.hoursStillMissing} h still missing`] : []),
    warned ? '<span class="warn">clock warning</span>' : 'clock ok',
  ];
  return `<b>${escape(d.deviceId)}</b> · ${parts.join(' · ')}`;
}

export function deviceDetails(report: CoverageReport): string {
  return report.devices
    .map(
      (d) => `<details id="device-${escape(d.deviceId)}"><summary>${summaryLine(d, report)}</summary>
${facts(d, report)}
${spans('Gaps (no readings), longest first', d.gaps)}${spans('Clock resets (files arrived, readings stamped elsewhere)', d.resets)}${spans('Still missing (neither source), longest first', d.reference?.stillMissing ?? [])}
</details>`,
    )
    .join('\n');
}
