import { renderHtml } from '../../scripts/ops/coverage/html';
import {
  COUNT_STEPS,
  countStep,
  countSteps,
  MUTED,
  PAGE,
  STATE_INK,
  TEXT,
} from '../../scripts/ops/coverage/palette';
import type { CoverageReport } from '../../scripts/ops/coverage/report';
import type { DeviceCoverage } from '../../shared/coverage';

/** WCAG 2.x relative luminance and contrast ratio of two `#rrggbb` colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('the palette can be read', () => {
  test('every state and every count step contrasts 3:1 with the page (WCAG non-text contrast)', () => {
    for (const colour of [...COUNT_STEPS, STATE_INK.gap, STATE_INK.reset, STATE_INK.referenceOnly])
      expect({ colour, enough: contrast(colour, PAGE) >= 3 }).toEqual({ colour, enough: true });
    // The reset's cross-hatching against its own orange fill.
    expect(contrast(STATE_INK.reset, STATE_INK.resetFill)).toBeGreaterThanOrEqual(3);
  });

  test('the count steps get darker step by step, each told from the next by lightness', () => {
    for (let i = 1; i < COUNT_STEPS.length; i++) {
      expect(luminance(COUNT_STEPS[i]!)).toBeLessThan(luminance(COUNT_STEPS[i - 1]!));
      expect(contrast(COUNT_STEPS[i]!, COUNT_STEPS[i - 1]!)).toBeGreaterThanOrEqual(1.3);
    }
  });

  test('text contrasts 4.5:1', () => {
    expect(contrast(TEXT, PAGE)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(MUTED, PAGE)).toBeGreaterThanOrEqual(4.5);
  });

  test('counts fall into five steps on a log scale up to the busiest hour; the legend names each step', () => {
    expect([1, 2, 3].map((n) => countStep(n, 3))).toEqual([2, 3, 4]);
    expect([1, 7, 8, 60, 3600].map((n) => countStep(n, 3600))).toEqual([0, 1, 1, 2, 4]);
    expect(countStep(1, 1)).toBe(4);
    expect(countStep(5, 0)).toBe(4);
    expect(countSteps(3)).toEqual([
      { step: 2, lowest: 1, highest: 1 },
      { step: 3, lowest: 2, highest: 2 },
      { step: 4, lowest: 3, highest: 3 },
    ]);
    expect(countSteps(60)).toEqual([
      { step: 0, lowest: 1, highest: 1 },
      { step: 1, lowest: 2, highest: 4 },
      { step: 2, lowest: 5, highest: 10 },
      { step: 3, lowest: 11, highest: 25 },
      { step: 4, lowest: 26, highest: 60 },
    ]);
  });
});

describe('the HTML without a reference', () => {
  const device: DeviceCoverage = {
    deviceId: 'truck-<1>',
    files: 2,
    orphaned: 0,
    pending: 0,
    readings: 60,
    hoursCovered: 1,
    hoursInRange: 4,
    gaps: [{ from: '2026-11-20T02:00:00.000Z', to: '2026-11-20T04:00:00.000Z', hours: 2 }],
    resets: [{ from: '2026-11-20T01:00:00.000Z', to: '2026-11-20T02:00:00.000Z', hours: 1 }],
    clock: {
      aheadFiles: 0,
      behindFiles: 0,
      maxAheadSeconds: 0,
      maxBehindSeconds: 0,
      resetFiles: 1,
      delay: { minSeconds: 2, medianSeconds: 2, maxSeconds: 2 },
    },
    perHour: [60, 0, 0, 0],
    resetFilesPerHour: [0, 1, 0, 0],
  };
  const report: CoverageReport = {
    from: '2026-11-20T00:00:00.000Z',
    to: '2026-11-20T04:00:00.000Z',
    generatedAt: '2026-11-21T00:00:00.000Z',
    clockToleranceSeconds: 300,
    clockFloor: '2000-01-01T00:00:00.000Z',
    devices: [device],
  };
  const html = renderHtml(report);

  test('one cell per hour with readings, one per run of empty hours, each with its title', () => {
    const cells = [...html.matchAll(/<i class="([^"]+)"(?: style="([^"]+)")? title="([^"]+)"/g)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    expect(cells).toEqual([
      ['s4', undefined, 'truck-&lt;1&gt; · 2026-11-20 00:00Z · 60 readings'],
      [
        'reset',
        undefined,
        'truck-&lt;1&gt; · 2026-11-20 01:00Z – 2026-11-20 02:00Z (1 h 0 min) · clock reset: files arrived, their readings stamped with a reset clock',
      ],
      [
        'gap',
        'grid-column:span 2',
        'truck-&lt;1&gt; · 2026-11-20 02:00Z – 2026-11-20 04:00Z (2 h 0 min) · gap: no readings',
      ],
    ]);
  });

  test('the legend names the states there are, and nothing runs or is fetched', () => {
    expect(html).toContain('<li><span class="sw gap" aria-hidden="true"></span>gap (no readings)</li>');
    expect(html).toContain('clock reset (files arrived, readings stamped elsewhere)');
    expect(html).not.toContain('historian');
    expect(html).not.toMatch(/<script|https?:\/\/|url\(/);
    expect(html).toContain('<details id="device-truck-&lt;1&gt;">');
    expect(html).toContain(
      '1 file(s) with a reset clock (times before 2000-01-01 or over a day ahead), received 2026-11-20T01Z +1h',
    );
  });

  test('axis: 6-hour ticks for a short range, one label per day for a longer one', () => {
    expect(html).toContain('<span style="grid-column:span 4">11-20 00:00</span>');
    const week = renderHtml({
      ...report,
      to: '2026-11-27T00:00:00.000Z',
      devices: [{ ...device, perHour: new Array(168).fill(1), resetFilesPerHour: new Array(168).fill(0) }],
    });
    expect(
      [...week.matchAll(/<span style="grid-column:span (\d+)">([^<]*)<\/span>/g)].map(
        (m) => `${m[1]} ${m[2]}`,
      ),
    ).toEqual(['24 11-20', '24 11-21', '24 11-22', '24 11-23', '24 11-24', '24 11-25', '24 11-26']);
  });
});
