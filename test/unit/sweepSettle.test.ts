/**
 * How the sweep packs settlements into transactions (shared/sweep/settle.ts): as many files as fit
 * in the service's 100 operations (3 per file, one per rollup day), no fewer.
 */
import { fileWith, LEDGER_FIXTURE, ledgerFixture as fixture } from '../helpers/ledgerFixture';

const { T0 } = LEDGER_FIXTURE;

/** Sends the files, sweeps, and returns each settlement's files and operations. */
async function settlementsOf(files: string[]) {
  const fx = fixture();
  for (const body of files) await fx.send(body);
  const settlements: Array<{ files: number; operations: number }> = [];
  fx.ledger.on('settle', (s) => {
    settlements.push({ files: s.files.length, operations: s.files.length * 3 + s.rollups.length });
  });
  const result = await fx.sweep();
  return { fx, result, settlements };
}

describe('settle: transactions filled to the limit', () => {
  test('files of one day: 33 to a transaction (99 file operations and the day rollup: exactly 100)', async () => {
    const files = Array.from({ length: 70 }, (_, i) => fileWith(T0, 1, T0, { firmware: `v${i}` }));
    const { fx, result, settlements } = await settlementsOf(files);
    expect(result).toMatchObject({ confirmed: 70 });
    expect(settlements).toEqual([
      { files: 33, operations: 100 },
      { files: 33, operations: 100 },
      { files: 4, operations: 13 },
    ]);
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 70, files: 70, untimed: 0 });
  });

  test('files each on a day of their own: 25 to a transaction (4 operations each)', async () => {
    const day = (i: number) => `2026-10-${String(i + 1).padStart(2, '0')}T06:00:00.000Z`;
    const files = Array.from({ length: 30 }, (_, i) => fileWith(day(i), 1));
    const { fx, settlements } = await settlementsOf(files);
    expect(settlements).toEqual([
      { files: 25, operations: 100 },
      { files: 5, operations: 20 },
    ]);
    expect(fx.hoursOf('20261030').get(6)).toEqual({ readings: 1, files: 1, untimed: 0 });
    // Each day's rollup says on which day its files were received: the day of T0.
    expect(fx.rows('~~d~20261001')[0]).toMatchObject({ receivedOn: expect.stringContaining('20261125') });
  });
});
