/**
 * What coverage reads (shared/coverage/coverageInput.ts), over the in-memory table that runs the real
 * adapters: settled files from the rollups and the file log, a buffered file found under the day it
 * was received, the unswept tail judged read-only, and only RowKey ranges asked for.
 */
import { coverageOf, DEFAULT_CLOCK_FLOOR_MS, readCoverageInput } from '../../shared/coverage';
import { FileState } from '../../shared/ledger/types';
import { fileWith, LEDGER_FIXTURE, ledgerFixture } from '../helpers/ledgerFixture';

const { DEVICE, HOUR, ORPHAN_AFTER } = LEDGER_FIXTURE;
const DAY = { from: new Date('2026-11-25T00:00:00Z'), to: new Date('2026-11-26T00:00:00Z') };
const RULES = { toleranceSeconds: 300, floorMs: DEFAULT_CLOCK_FLOOR_MS };
const KEY_RANGE = /^PartitionKey eq '[^']+' and RowKey ge '[^']*' and RowKey lt '[^']*'$/;

function setup() {
  const fx = ledgerFixture();
  const read = (range = DAY) =>
    readCoverageInput({ ledger: fx.ledger, blobs: fx.blobs, now: fx.clock.now() }, DEVICE, range);
  return { ...fx, read };
}

describe('coverage input: what a report reads of one device', () => {
  test("settled files: the range's rollups and file-log rows, nothing pending", async () => {
    const fx = setup();
    await fx.send(fileWith('2026-11-25T08:15:00Z', 3));
    await fx.sweep();

    const input = await fx.read();

    expect(input.pending).toBe(0);
    expect(input.files.map((f) => [f.state, f.summary?.readings])).toEqual([[FileState.Stored, 3]]);
    expect([...input.days.get('20261125')!]).toEqual([[8, { readings: 3, files: 1, untimed: 0 }]]);
    expect(coverageOf(input, DAY, RULES)).toMatchObject({ files: 1, readings: 3, hoursCovered: 1 });
  });

  test('a file buffered for three days is found under the day it was received', async () => {
    const fx = setup();
    fx.clock.advance(3 * 24 * HOUR);
    await fx.send(fileWith('2026-11-25T08:15:00Z', 2));
    await fx.sweep();

    const input = await fx.read();

    expect(input.files.map((f) => f.receivedAt)).toEqual(['2026-11-28T08:15:00.000Z']);
    expect(coverageOf(input, DAY, RULES)).toMatchObject({ files: 1, readings: 2 });
  });

  test('files received in the range whose readings are elsewhere still matter (their clock is judged)', async () => {
    const fx = setup();
    await fx.send(fileWith('1970-01-01T00:00:00Z', 2, '2026-11-25T08:15:00Z'));
    await fx.sweep();

    const input = await fx.read();

    expect(input.files).toHaveLength(1);
    // A clock reset: counted as a file and named as a reset, never as readings of 1970.
    expect(coverageOf(input, DAY, RULES)).toMatchObject({ files: 1, readings: 0, clock: { resetFiles: 1 } });
  });

  test('files neither received in the range nor with readings in it are left out', async () => {
    const fx = setup();
    fx.clock.advance(24 * HOUR);
    await fx.send(fileWith('2026-11-26T08:00:00Z', 2));
    await fx.sweep();

    expect((await fx.read()).files).toEqual([]);
  });

  test('the unswept tail: a stored blob counts at once; a claim without its blob is pending, not data', async () => {
    const fx = setup();
    await fx.send(fileWith('2026-11-25T08:15:00Z', 3));
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith('2026-11-25T09:15:00Z', 4))).rejects.toThrow();

    const input = await fx.read();

    expect(input.pending).toBe(1);
    expect(coverageOf(input, DAY, RULES)).toMatchObject({
      files: 1,
      readings: 3,
      pending: 1,
      hoursCovered: 1,
    });
    // Read-only: nothing was settled or written by the report.
    expect(fx.rows('~~p~')).toHaveLength(2);
    expect(fx.rows('~~f~')).toEqual([]);
    expect(fx.confirmations.records).toEqual([]);
  });

  test('an orphan received in the range is reported, never counted as data', async () => {
    const fx = setup();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith('2026-11-25T08:15:00Z', 4))).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);
    await fx.sweep();

    expect(coverageOf(await fx.read(), DAY, RULES)).toMatchObject({
      files: 0,
      readings: 0,
      orphaned: 1,
      pending: 0,
    });
  });

  test('every query is one partition and one RowKey range', async () => {
    const fx = setup();
    await fx.send(fileWith('2026-11-25T08:15:00Z', 3));
    await fx.sweep();
    fx.clock.advance(3 * 24 * HOUR);
    await fx.send(fileWith('2026-11-25T10:15:00Z', 3));
    fx.records.table.filters.length = 0;

    await fx.read();

    expect(fx.records.table.filters.length).toBeGreaterThanOrEqual(3);
    for (const filter of fx.records.table.filters) expect(filter).toMatch(KEY_RANGE);
  });
  test('unswept files are read under the days they were received, never outside those windows', async () => {
    const fx = setup();
    const at = (iso: string) => fx.clock.advance(Date.parse(iso) - fx.clock.now().getTime());
    at('2026-11-27T08:15:00Z');
    await fx.send(fileWith('2026-11-27T08:15:00Z', 1)); // received between the windows
    at('2026-11-28T00:00:00Z');
    await fx.send(fileWith('2026-11-28T00:00:00Z', 1)); // the first instant of a receipt day
    at('2026-11-28T08:15:00Z');
    await fx.send(fileWith('2026-11-25T08:15:00Z', 2)); // buffered three days: its receipt day is read
    at('2026-11-29T00:00:00Z');
    await fx.send(fileWith('2026-11-29T00:00:00Z', 1)); // the first instant after it

    const input = await fx.read();

    expect(input.files.map((f) => [f.receivedAt, f.summary?.readings]).sort()).toEqual([
      ['2026-11-28T00:00:00.000Z', 1],
      ['2026-11-28T08:15:00.000Z', 2],
    ]);
  });

  test('overlapping windows merge into one that reaches the earliest start and the latest end', async () => {
    const fx = setup();
    const range = { from: new Date('2026-11-25T06:00:00Z'), to: new Date('2026-11-26T06:00:00Z') };
    const at = (iso: string) => fx.clock.advance(Date.parse(iso) - fx.clock.now().getTime());
    at('2026-11-25T02:15:00Z');
    await fx.send(fileWith('2026-11-25T02:15:00Z', 1)); // before the range, on a receipt day
    at('2026-11-25T08:15:00Z');
    await fx.send(fileWith('2026-11-25T08:15:00Z', 1));
    at('2026-11-26T05:00:00Z');
    await fx.send(fileWith('2026-11-26T05:00:00Z', 1));
    at('2026-11-26T20:00:00Z');
    await fx.send(fileWith('2026-11-26T20:00:00Z', 1)); // after the range, on a receipt day
    await fx.sweep();

    const input = await fx.read(range);

    expect(input.files.map((f) => f.receivedAt).sort()).toEqual([
      '2026-11-25T02:15:00.000Z',
      '2026-11-25T08:15:00.000Z',
      '2026-11-26T05:00:00.000Z',
      '2026-11-26T20:00:00.000Z',
    ]);
  });

  test('pending counts the claims without their blob only', async () => {
    const fx = setup();
    await fx.send(fileWith('2026-11-25T08:15:00Z', 3));
    await fx.send(fileWith('2026-11-25T08:45:00Z', 3));
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith('2026-11-25T09:15:00Z', 4))).rejects.toThrow();

    const input = await fx.read();

    expect(input.pending).toBe(1);
    expect(input.files).toHaveLength(2);
  });
});
