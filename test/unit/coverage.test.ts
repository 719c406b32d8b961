import { type CoverageInput, coverageOf, gapsIn, wholeHours } from '../../shared/coverage';
import { addDays, contributionOf, type DayHours } from '../../shared/ledger/dayRollup';
import { type FileLogEntry, FileState } from '../../shared/ledger/types';
import type { StoredSummary } from '../../shared/readingSummary';

const range = { from: new Date('2026-11-25T00:00:00Z'), to: new Date('2026-11-26T00:00:00Z') };
const hours = (...labels: string[]) => labels.map((l) => `20261125${l}:10`).join(',');

/** A settled file, as the file log holds it. */
function file(
  receivedAt: string,
  summary?: Partial<StoredSummary>,
  state: FileLogEntry['state'] = FileState.Stored,
): FileLogEntry {
  return {
    deviceId: 't',
    key: `${receivedAt}-${JSON.stringify(summary)}`,
    receivedAt,
    blobName: 'b',
    sha256: 's',
    sizeBytes: 1,
    schemaId: 'oil-condition-v1',
    state,
    settledAt: receivedAt,
    ...(summary ? { summary: { summaryVersion: 1, ...summary } } : {}),
  };
}

/** What the ledger would hold for these files: their rollups and their log rows. */
function input(files: FileLogEntry[], pending = 0): CoverageInput {
  const days: DayHours = new Map();
  for (const f of files)
    if (f.state === FileState.Stored) addDays(days, contributionOf(f.summary, f.receivedAt).days);
  return { deviceId: 't', days, files, pending };
}

describe('coverage arithmetic', () => {
  test('whole UTC hours inside [from, to): a partial hour at either end is not in range', () => {
    const h = (iso: string) => Date.parse(iso) / 3_600_000;
    expect(
      wholeHours({ from: new Date('2026-11-25T00:30:00Z'), to: new Date('2026-11-25T03:15:00Z') }),
    ).toEqual({
      first: h('2026-11-25T01:00:00Z'),
      end: h('2026-11-25T03:00:00Z'),
    });
  });

  test('gaps are maximal runs of empty hours, at the start, inside and at the end, longest first', () => {
    // Readings in hours 02-05 and 10-20: gaps 00-02 (start), 06-10, 21-24 (end).
    const files = [
      file('2026-11-25T06:00:00Z', { readings: 40, readingHours: hours('02', '03', '04', '05') }),
      file('2026-11-25T21:00:00Z', {
        readings: 110,
        readingHours: hours('10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20'),
      }),
    ];
    const c = coverageOf(input(files), range, 300);
    expect(c).toMatchObject({ files: 2, readings: 150, hoursCovered: 15, hoursInRange: 24, orphaned: 0 });
    expect(c.gaps).toEqual([
      { from: '2026-11-25T06:00:00.000Z', to: '2026-11-25T10:00:00.000Z', hours: 4 },
      { from: '2026-11-25T21:00:00.000Z', to: '2026-11-26T00:00:00.000Z', hours: 3 },
      { from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T02:00:00.000Z', hours: 2 },
    ]);
  });

  test('a device with nothing is one gap over the whole range', () => {
    expect(coverageOf(input([]), range, 300)).toMatchObject({
      files: 0,
      readings: 0,
      hoursCovered: 0,
      gaps: [{ from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z', hours: 24 }],
    });
  });

  test('readings outside the range do not count, nor does their file', () => {
    const files = [
      file('2026-11-27T00:00:00Z', { readings: 5, readingHours: '2026112423:5', clockOffsetSeconds: 99_999 }),
    ];
    expect(coverageOf(input(files), range, 300)).toMatchObject({
      files: 0,
      readings: 0,
      clock: { aheadFiles: 0 },
    });
  });

  test('files without reading times cover the hour they arrived in', () => {
    const c = coverageOf(input([file('2026-11-25T07:30:00Z'), file('2026-11-25T07:45:00Z')]), range, 300);
    expect(c).toMatchObject({ files: 2, readings: 0, hoursCovered: 1 });
    expect(c.perHour[7]).toBe(2);
  });

  test('orphaned claims received in the range are counted, never as data; pending ones are passed through', () => {
    const files = [
      file('2026-11-25T08:00:00Z', { readings: 10, readingHours: hours('08') }, FileState.Orphaned),
      file('2026-11-24T08:00:00Z', { readings: 10, readingHours: hours('08') }, FileState.Orphaned),
      file('2026-11-25T09:00:00Z', { readings: 10, readingHours: hours('08') }, FileState.Replaced),
    ];
    const c = coverageOf(input(files, 3), range, 300);
    expect(c).toMatchObject({ files: 0, readings: 0, hoursCovered: 0, orphaned: 1, pending: 3 });
  });

  test('clock verdict: beyond the tolerance either way, with the largest offset each way', () => {
    const at = (offset: number) =>
      file('2026-11-25T08:00:00Z', { readings: 1, readingHours: '2026112508:1', clockOffsetSeconds: offset });
    const c = coverageOf(input([at(300), at(301), at(7200), at(-301), at(-40), at(-900)]), range, 300);
    expect(c.clock).toEqual({ aheadFiles: 2, behindFiles: 2, maxAheadSeconds: 7200, maxBehindSeconds: 900 });
  });

  test('gapsIn on its own: ties keep time order', () => {
    expect(gapsIn([0, 1, 0], 0).map((g) => g.from)).toEqual([
      '1970-01-01T00:00:00.000Z',
      '1970-01-01T02:00:00.000Z',
    ]);
  });
});
