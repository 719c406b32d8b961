import { clockVerdict, delayOf, isImplausible, leadSeconds } from '../../shared/coverage';
import { type FileLogEntry, FileState } from '../../shared/ledger/types';

const RECEIVED = '2026-11-25T08:00:00.000Z';
const R = Date.parse(RECEIVED);
const rules = { toleranceSeconds: 300, floorMs: Date.UTC(2000, 0, 1) };
/** An ISO time `seconds` after the receipt (negative: before). */
const t = (seconds: number) => new Date(R + seconds * 1000).toISOString();

/** A stored file received at RECEIVED with these times of its own. */
function timed(
  times: { sentAt?: string; first?: string; last?: string },
  receivedAt = RECEIVED,
): FileLogEntry {
  return {
    deviceId: 't',
    key: JSON.stringify(times),
    receivedAt,
    blobName: 'b',
    sha256: 's',
    sizeBytes: 1,
    schemaId: 'oil-condition-v1',
    state: FileState.Stored,
    settledAt: receivedAt,
    summary: {
      summaryVersion: 1,
      readings: times.first ? 2 : 0,
      ...(times.sentAt ? { sentAt: times.sentAt } : {}),
      ...(times.first ? { firstReadingAt: times.first, lastReadingAt: times.last ?? times.first } : {}),
    },
  };
}
/** Written `delay` seconds before its receipt (sentAt and last reading alike). */
const waited = (delay: number) => timed({ sentAt: t(-delay), first: t(-delay - 600), last: t(-delay - 60) });

describe('one file against its receipt', () => {
  test('lead: the latest of sentAt and the readings, minus the receipt, whole seconds', () => {
    expect(leadSeconds(timed({ sentAt: t(-120), first: t(-900), last: t(-600) }))).toBe(-120);
    // A reading later than sentAt (a clock stepped back between reading and sending) counts.
    expect(leadSeconds(timed({ sentAt: t(-120), first: t(-900), last: t(30) }))).toBe(30);
    expect(leadSeconds(timed({ first: t(-900), last: t(-600) }))).toBe(-600);
    expect(leadSeconds(timed({ sentAt: t(7200) }))).toBe(7200);
    expect(leadSeconds(timed({ sentAt: new Date(R - 400).toISOString() }))).toBe(0);
    expect(Object.is(leadSeconds(timed({ sentAt: new Date(R - 400).toISOString() })), 0)).toBe(true);
    expect(leadSeconds(timed({ sentAt: new Date(R + 600).toISOString() }))).toBe(1);
    expect(leadSeconds(timed({}))).toBeUndefined();
    expect(leadSeconds(timed({ sentAt: 'not a time' }))).toBeUndefined();
  });

  test('implausible: a time before the floor, or more than a day after receipt; the floor and one day are plausible', () => {
    const floor = new Date(rules.floorMs).toISOString();
    const justBefore = new Date(rules.floorMs - 1).toISOString();
    expect(isImplausible(timed({ first: floor }), rules.floorMs)).toBe(false);
    expect(isImplausible(timed({ first: justBefore, last: t(-60) }), rules.floorMs)).toBe(true);
    expect(isImplausible(timed({ sentAt: '1970-01-01T00:31:00Z', first: t(-600) }), rules.floorMs)).toBe(
      true,
    );
    expect(isImplausible(timed({ sentAt: t(86_400) }), rules.floorMs)).toBe(false);
    expect(isImplausible(timed({ sentAt: new Date(R + 86_400_001).toISOString() }), rules.floorMs)).toBe(
      true,
    );
    expect(isImplausible(timed({ first: t(-60), last: t(86_401) }), rules.floorMs)).toBe(true);
    expect(isImplausible(timed({}), rules.floorMs)).toBe(false);
    // The floor is the caller's: a device whose clock starts in 2020 after a reset.
    expect(isImplausible(timed({ first: '2019-12-31T23:59:59Z' }), Date.UTC(2020, 0, 1))).toBe(true);
  });
});

describe('the clock verdict of a device', () => {
  test('files that waited in a buffer are not behind while any file read arrived fresh', () => {
    const buffered = [waited(2 * 86_400), waited(2 * 86_400 + 3600), waited(2 * 86_400 + 7200)];
    expect(clockVerdict(buffered, [waited(2)], rules)).toEqual({
      aheadFiles: 0,
      behindFiles: 0,
      maxAheadSeconds: 0,
      maxBehindSeconds: 0,
      resetFiles: 0,
      delay: { minSeconds: 172_800, medianSeconds: 176_400, maxSeconds: 180_000 },
    });
    // Alone, the same files are late beyond the tolerance: behind by the smallest delay.
    expect(clockVerdict(buffered, [], rules)).toMatchObject({ behindFiles: 3, maxBehindSeconds: 172_800 });
  });

  test('behind: every file late, the freshest reported, all judged files counted; the tolerance itself is not behind', () => {
    expect(clockVerdict([waited(2400), waited(2460), waited(9000)], [], rules)).toMatchObject({
      behindFiles: 3,
      maxBehindSeconds: 2400,
      aheadFiles: 0,
    });
    expect(clockVerdict([waited(300), waited(9000)], [], rules)).toMatchObject({
      behindFiles: 0,
      maxBehindSeconds: 0,
    });
    expect(clockVerdict([waited(301), waited(9000)], [], rules)).toMatchObject({
      behindFiles: 2,
      maxBehindSeconds: 301,
    });
    // A fresher file read beside the judged ones clears the verdict; a late one does not make it.
    expect(clockVerdict([waited(2400)], [waited(299)], rules)).toMatchObject({ behindFiles: 0 });
    expect(clockVerdict([waited(2400)], [waited(301)], rules)).toMatchObject({
      behindFiles: 1,
      maxBehindSeconds: 301,
    });
    // Files read beside the judged ones are evidence only: none judged, no verdict.
    expect(clockVerdict([], [waited(2400)], rules)).toMatchObject({ behindFiles: 0, maxBehindSeconds: 0 });
  });

  test('ahead: any sentAt or reading in the future of its receipt beyond the tolerance; the largest lead', () => {
    const files = [
      timed({ sentAt: t(300) }),
      timed({ sentAt: t(301) }),
      timed({ sentAt: t(-60), first: t(-600), last: t(10_798) }),
      timed({ sentAt: t(-40) }),
    ];
    expect(clockVerdict(files, [], rules)).toEqual({
      aheadFiles: 2,
      behindFiles: 0,
      maxAheadSeconds: 10_798,
      maxBehindSeconds: 0,
      resetFiles: 0,
      delay: { minSeconds: -10_798, medianSeconds: -300, maxSeconds: 40 },
    });
    // Files read beside the judged ones are never judged ahead.
    expect(clockVerdict([], [timed({ sentAt: t(7200) })], rules)).toMatchObject({ aheadFiles: 0 });
  });

  test('reset: counted by name, and neither ahead, behind nor a delay', () => {
    const reset = timed({
      sentAt: '1970-01-01T00:31:00Z',
      first: '1970-01-01T00:10:00Z',
      last: '1970-01-01T00:30:00Z',
    });
    const yearAhead = timed({ sentAt: '2027-11-25T08:00:00Z' });
    expect(clockVerdict([reset, yearAhead, waited(5)], [], rules)).toEqual({
      aheadFiles: 0,
      behindFiles: 0,
      maxAheadSeconds: 0,
      maxBehindSeconds: 0,
      resetFiles: 2,
      delay: { minSeconds: 5, medianSeconds: 5, maxSeconds: 5 },
    });
    // A reset file beside the judged ones is no evidence of freshness either.
    expect(clockVerdict([waited(2400)], [reset], rules)).toMatchObject({ behindFiles: 1, resetFiles: 0 });
  });

  test('files without times of their own are not judged', () => {
    expect(clockVerdict([timed({})], [], rules)).toEqual({
      aheadFiles: 0,
      behindFiles: 0,
      maxAheadSeconds: 0,
      maxBehindSeconds: 0,
      resetFiles: 0,
      delay: null,
    });
  });

  test('delay: min, median (mean of the middle two, rounded) and max', () => {
    expect(delayOf([])).toBeNull();
    expect(delayOf([7])).toEqual({ minSeconds: 7, medianSeconds: 7, maxSeconds: 7 });
    expect(delayOf([9, 1, 4])).toEqual({ minSeconds: 1, medianSeconds: 4, maxSeconds: 9 });
    expect(delayOf([10, 1, 4, 100])).toEqual({ minSeconds: 1, medianSeconds: 7, maxSeconds: 100 });
    expect(delayOf([1, 2])).toEqual({ minSeconds: 1, medianSeconds: 2, maxSeconds: 2 });
    expect(delayOf([-3, -2])).toEqual({ minSeconds: -3, medianSeconds: -2, maxSeconds: -2 });
  });

  test('months of one file a minute: no argument-count limit', () => {
    const files = Array.from({ length: 200_000 }, (_, i) => waited(i % 600));
    expect(clockVerdict(files, [], rules)).toMatchObject({
      behindFiles: 0,
      delay: { minSeconds: 0, medianSeconds: 299, maxSeconds: 599 },
    });
  }, 30_000);
});
