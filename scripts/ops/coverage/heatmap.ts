/**
 * The heatmap: one row per device, one column per UTC hour, across the page's width (a CSS grid of
 * `--n` equal columns: a day gets wide hours, a month thin ones). Hours with readings are one cell
 * each, shaded by count; runs of hours without are one cell each, patterned by what they are (a
 * gap, a clock reset, and with a reference: historian only, still missing). Every cell's title says
 * what it holds; deviceDetails.ts says the same without a mouse.
 */
import { type DeviceCoverage, HOUR_MS, humanDuration } from '../../../shared/coverage';
import { countStep } from './palette';
import type { CoverageReport } from './report';

export const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** `2026-11-20 07:00Z` */
export function hourText(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString().slice(0, 13).replace('T', ' ') + ':00Z';
}

/** What an hour without readings of ours is. */
type EmptyKind = 'gap' | 'reset' | 'ref' | 'missing';

const EMPTY_TEXT: Record<EmptyKind, string> = {
  gap: 'gap: no readings',
  reset: 'clock reset: files arrived, their readings stamped with a reset clock',
  ref: 'historian only: the historian has readings, the JSON path none',
  missing: 'still missing: neither the historian nor the JSON path has a reading',
};

export const EMPTY_CLASS: Record<EmptyKind, string> = {
  gap: 'gap',
  reset: 'reset',
  ref: 'ref',
  missing: 'gap',
};

function emptyKind(d: DeviceCoverage, i: number): EmptyKind {
  if ((d.referencePerHour?.[i] ?? 0) > 0) return 'ref';
  if (d.resetFilesPerHour[i]! > 0) return 'reset';
  return d.referencePerHour ? 'missing' : 'gap';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One hour with readings: its shade, and with a reference its stripes when it filled a gap. */
function dataCell(d: DeviceCoverage, i: number, hour: number, max: number): string {
  const count = d.perHour[i]!;
  const reference = d.referencePerHour?.[i];
  const filled = reference === 0;
  const source =
    reference === undefined
      ? ''
      : filled
        ? ' · filled by JSON (historian: none)'
        : ` · both (historian: ${reference})`;
  const title = `${escape(d.deviceId)} · ${hourText(hour)} · ${plural(count, 'reading')}${source}`;
  return `<i class="s${countStep(count, max)}${filled ? ' filled' : ''}" title="${title}"></i>`;
}

/** One device's cells, runs of the same empty kind merged. */
function deviceCells(d: DeviceCoverage, firstHour: number, max: number): string {
  const cells: string[] = [];
  for (let i = 0; i < d.perHour.length;) {
    if (d.perHour[i]! > 0) {
      cells.push(dataCell(d, i, firstHour + i, max));
      i++;
      continue;
    }
    const kind = emptyKind(d, i);
    let j = i + 1;
    while (j < d.perHour.length && d.perHour[j] === 0 && emptyKind(d, j) === kind) j++;
    const span = `${hourText(firstHour + i)} – ${hourText(firstHour + j)} (${humanDuration((j - i) * 3600)})`;
    const title = `${escape(d.deviceId)} · ${span} · ${EMPTY_TEXT[kind]}`;
    const style = j - i > 1 ? ` style="grid-column:span ${j - i}"` : '';
    cells.push(`<i class="${EMPTY_CLASS[kind]}"${style} title="${title}"></i>`);
    i = j;
  }
  return cells.join('');
}

/** `11-20 06:00` at a day's start (or the range's) with 6-hour ticks, `06:00` between, `11-20` per day. */
function axisLabel(hour: number, first: boolean, tick: number, dayStep: number): string {
  const text = hourText(hour);
  if (hour % 24 !== 0 && !first) return text.slice(11, 16);
  if (tick < 24) return text.slice(5, 16);
  return Math.floor(hour / 24) % dayStep === 0 ? text.slice(5, 10) : '';
}

/**
 * Labels over the columns: a tick every 6 hours for up to three days, else one per day (every few
 * days when the range is long).
 */
function axis(firstHour: number, hours: number): string {
  const days = hours / 24;
  const tick = days <= 3 ? 6 : 24;
  const dayStep = days > 45 ? 7 : days > 16 ? 2 : 1;
  const parts: string[] = [];
  for (let i = 0; i < hours;) {
    const hour = firstHour + i;
    const next = Math.min(hours, i + tick - (hour % tick));
    const label = axisLabel(hour, i === 0, tick, dayStep);
    parts.push(`<span style="grid-column:span ${next - i}">${label}</span>`);
    i = next;
  }
  return parts.join('');
}

/** The heatmap's HTML; `max` is the busiest hour's readings (the top of the shade scale). */
export function heatmap(report: CoverageReport, firstHour: number, max: number): string {
  const hours = report.devices[0]?.perHour.length ?? 0;
  const rows = report.devices.map(
    (d) =>
      `<div class="hm-row"><a class="lbl" href="#device-${escape(d.deviceId)}">${escape(d.deviceId)}</a><div class="cells">${deviceCells(d, firstHour, max)}</div></div>`,
  );
  return `<div class="hm" style="--n:${hours}">
<div class="hm-row axis" aria-hidden="true"><span class="lbl">UTC</span><div class="cells">${axis(firstHour, hours)}</div></div>
${rows.join('\n')}
</div>`;
}
