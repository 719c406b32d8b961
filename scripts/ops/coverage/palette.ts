/**
 * The report's colours and patterns. Every state is told apart by more than hue: the reading
 * counts by lightness (one blue, five steps), the other states by pattern (stripes, dots, hatching,
 * cross-hatching), so the heatmap reads the same with red-green colour blindness and in grey. Blue
 * and orange are the pair colour-blind readers tell apart (Okabe and Ito). Each state's marking
 * colour has at least 3:1 contrast with the white page (WCAG 2.x, non-text contrast);
 * test/unit/coverageHtml.test.ts checks it.
 */

export const PAGE = '#ffffff';
export const TEXT = '#1d2433';
export const MUTED = '#5b6474';

/** Readings in an hour, fewest to most: lightness steps of one blue. */
export const COUNT_STEPS = ['#5b8fd0', '#3a70b8', '#285a9c', '#1a4278', '#0b2447'] as const;

/** The marking colour of each state other than the counts (what must contrast with the page). */
export const STATE_INK = {
  /** No readings: hatching on the page's white. */
  gap: '#c2410c',
  /** Files arrived with a reset clock: dark cross-hatching on orange. */
  reset: '#3d2a00',
  resetFill: '#e69f00',
  /** The historian has readings, we do not: grey with white dots. */
  referenceOnly: '#6b7280',
} as const;

/** Which of the five steps a count falls in, on a log scale up to the busiest hour. */
export function countStep(count: number, max: number): number {
  const t = Math.log1p(count) / Math.log1p(Math.max(max, 1));
  return Math.min(COUNT_STEPS.length - 1, Math.floor(t * COUNT_STEPS.length));
}

/** Each step's counts, [lowest, highest], for the legend; steps no count falls in are left out. */
export function countSteps(max: number): Array<{ step: number; lowest: number; highest: number }> {
  const steps: Array<{ step: number; lowest: number; highest: number }> = [];
  for (let count = 1; count <= Math.max(max, 1); count++) {
    const step = countStep(count, max);
    const last = steps.at(-1);
    if (last?.step === step) last.highest = count;
    else steps.push({ step, lowest: count, highest: count });
  }
  return steps;
}

export const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:${TEXT};background:${PAGE}}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:${MUTED};margin:0 0 16px}
.hm{width:100%;--label:150px}
.hm-row{display:grid;grid-template-columns:var(--label) minmax(0,1fr);align-items:center;margin:0 0 3px}
.hm-row .lbl{font-size:12px;text-align:right;padding-right:8px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.cells{display:grid;grid-template-columns:repeat(var(--n),minmax(0,1fr));height:18px}
.axis .cells{height:auto;font-size:11px;color:${MUTED}}
.axis .cells span{border-left:1px solid #9aa3b2;padding-left:2px;overflow:hidden;white-space:nowrap}
.cells i{display:block;min-width:0}
${COUNT_STEPS.map((c, i) => `.s${i}{background:${c}}`).join('')}
.scale{background:linear-gradient(90deg,${COUNT_STEPS.join(',')})}
.filled{background-image:repeating-linear-gradient(45deg,${PAGE} 0 2px,transparent 2px 6px)}
.gap{background:repeating-linear-gradient(135deg,${STATE_INK.gap} 0 2px,${PAGE} 2px 5px)}
.reset{background:repeating-linear-gradient(45deg,${STATE_INK.reset} 0 1.5px,transparent 1.5px 5px),repeating-linear-gradient(135deg,${STATE_INK.reset} 0 1.5px,${STATE_INK.resetFill} 1.5px 5px)}
.ref{background:radial-gradient(circle,${PAGE} 0 1.2px,transparent 1.6px) 0 0/5px 5px,${STATE_INK.referenceOnly}}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 0;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:6px}
.legend .sw{display:inline-block;width:28px;height:14px;border:1px solid ${MUTED}}
table{border-collapse:collapse;margin:4px 0}th,td{border-bottom:1px solid #e3e7ee;padding:3px 10px;text-align:left}
td:first-child{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
details{border:1px solid #d8dde6;margin:6px 0;padding:4px 10px}
summary{cursor:pointer;padding:2px 0}
summary:focus-visible,a:focus-visible{outline:3px solid ${COUNT_STEPS[2]};outline-offset:2px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
dl.facts dt{color:${MUTED}}dl.facts dd{margin:0}
.warn{color:${STATE_INK.gap};font-weight:600}
a{color:${COUNT_STEPS[2]}}
`;
