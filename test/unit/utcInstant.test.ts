import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { instantArg } from '../../scripts/ops/args';
import { parseUtcInstant } from '../../shared/utcInstant';

const utc = (iso: string) => Date.parse(iso);
const run = promisify(execFile);

describe('parseUtcInstant: ISO 8601, UTC unless the text carries an offset', () => {
  test.each([
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T06:00', '2026-11-20T06:00:00.000Z'],
    ['2026-11-20 06:00', '2026-11-20T06:00:00.000Z'],
    ['2026-11-20T06:07:08', '2026-11-20T06:07:08.000Z'],
    ['2026-11-20T06:07:08.5', '2026-11-20T06:07:08.500Z'],
    ['2026-11-20T06:07:08.123456', '2026-11-20T06:07:08.123Z'],
    ['2026-11-20T06:00Z', '2026-11-20T06:00:00.000Z'],
    ['2026-11-20t06:00z', '2026-11-20T06:00:00.000Z'],
    ['2026-11-20T14:00+08:00', '2026-11-20T06:00:00.000Z'],
    ['2026-11-20T14:00+0800', '2026-11-20T06:00:00.000Z'],
    ['2026-11-20T00:30-05:30', '2026-11-20T06:00:00.000Z'],
    ['  2026-11-20T06:00Z ', '2026-11-20T06:00:00.000Z'],
    ['2024-02-29T23:59:59', '2024-02-29T23:59:59.000Z'],
    ['1970-01-01T00:00', '1970-01-01T00:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseUtcInstant(text)).toBe(utc(iso));
  });

  test.each([
    'yesterday',
    '',
    '2026-11-20Z',
    '2026-11-20T6:00',
    '2026-11-20T06',
    '2026-11-20T24:00',
    '2026-11-20T06:60',
    '2026-11-20T06:00:60',
    '2026-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-11-00',
    '0050-01-01',
    '2026-11-20T06:00+8',
    '2026-11-20T06:00 extra',
    '20261120T0600',
  ])('%j is refused', (text) => {
    expect(parseUtcInstant(text)).toBeUndefined();
  });
});

/** instantArg in a fresh process under `TZ` (a zone set after start-up is not reliably applied). */
async function instantUnder(zone: string, ...values: string[]) {
  const script = `import('./scripts/ops/args.ts').then(({ instantArg }) => console.log(JSON.stringify({
    offset: new Date(2026, 10, 20, 6).getTimezoneOffset(),
    local: new Date(Date.parse('2026-11-20T06:00')).toISOString(),
    read: ${JSON.stringify(values)}.map((v) => instantArg(v).toISOString()),
  })))`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, TZ: zone },
  });
  return JSON.parse(stdout) as { offset: number; local: string; read: string[] };
}

describe('--from and --to read the same instant whatever TZ the process runs under', () => {
  test.each([
    ['Australia/Perth', -480, '2026-11-19T22:00:00.000Z'],
    ['America/Los_Angeles', 480, '2026-11-20T14:00:00.000Z'],
  ])(
    'TZ=%s',
    async (zone, offset, dateParse) => {
      const result = await instantUnder(zone, '2026-11-20T06:00', '2026-11-20', '2026-11-20T14:00+08:00');
      // The zone is in force: Date.parse reads a time without an offset as local time there.
      expect(result).toMatchObject({ offset, local: dateParse });
      expect(result.read).toEqual([
        '2026-11-20T06:00:00.000Z',
        '2026-11-20T00:00:00.000Z',
        '2026-11-20T06:00:00.000Z',
      ]);
    },
    30_000,
  );

  test('a value that is not an ISO date says what is expected', () => {
    expect(() => instantArg('20/11/2026')).toThrow(
      'Expected an ISO date or date-time, UTC unless it has an offset, e.g. 2026-11-01, 2026-11-01T06:00 or 2026-11-01T14:00+08:00.',
    );
  });
});
