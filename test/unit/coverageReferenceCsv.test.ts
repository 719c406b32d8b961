import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReference, readReferenceMap } from '../../scripts/ops/coverage/referenceCsv';
import { UsageError } from '../../scripts/ops/exitCodes';
import { DEFAULT_REFERENCE_COLUMNS as COLUMNS, wholeHours } from '../../shared/coverage';

const dir = mkdtempSync(join(tmpdir(), 'reference-csv-'));
let n = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, text);
  return path;
}
const DAY = wholeHours({ from: new Date('2026-11-20T00:00Z'), to: new Date('2026-11-21T00:00Z') });
const hour = (h: number) => DAY.first + h;

describe('readReference', () => {
  test('one row per reading: a BOM, CRLF, quoted fields and blank lines are CSV, not errors', async () => {
    const path = file(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          'device,timestamp,note\r\ntruck-1,2026-11-20T06:10Z,"a, b"\r\n\r\n"truck-1",2026-11-20 06:20,"two\r\nlines"\r\ntruck-2,2026-11-20T07:00+01:00,\r\n',
        ),
      ]),
    );
    const tally = await readReference(path, COLUMNS, DAY);
    expect(tally.hours).toEqual(
      new Map([
        ['truck-1', new Map([[hour(6), 2]])],
        ['truck-2', new Map([[hour(6), 1]])],
      ]),
    );
    expect(tally.rows).toBe(3);
  });

  test('one row per hour, with a map', async () => {
    const path = file(
      'Asset,Hour,Count\nHT-1,2026-11-20T05:00Z,60\nHT-1,2026-11-20T06:00Z,0\nCrusher,2026-11-20T05:00Z,60\n',
    );
    const names = new Map([['HT-1', 'truck-1']]);
    // "Asset" is not "device": the column is named by option.
    await expect(readReference(path, COLUMNS, DAY, names)).rejects.toThrow('the header (Asset,Hour,Count)');
    const tally = await readReference(path, { ...COLUMNS, device: 'asset' }, DAY, names);
    expect(tally).toMatchObject({ rows: 3, ignoredRows: 1 });
    expect(tally.hours).toEqual(
      new Map([
        [
          'truck-1',
          new Map([
            [hour(5), 60],
            [hour(6), 0],
          ]),
        ],
      ]),
    );
  });

  test('bad rows: every one counted, the first ten shown with their line numbers, the file refused', async () => {
    const rows = ['device,timestamp', 'truck-1,2026-11-20T06:00Z'];
    for (let i = 0; i < 12; i++) rows.push(`truck-1,not a time ${i}`);
    rows.push('truck-1', '"truck-1","two', 'lines",2026-11-20T06:00Z');
    const path = file(rows.join('\n'));
    const error = await readReference(path, COLUMNS, DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe(`--reference ${path}: 14 row(s) cannot be read; nothing was compared.`);
    expect(lines[1]).toBe(
      '  line 3: cannot read time "not a time 0": ISO 8601 expected, e.g. 2026-11-20T06:15:00Z (UTC unless it has an offset)',
    );
    expect(lines[10]).toMatch(/^ {2}line 12: cannot read time "not a time 9"/);
    expect(lines[11]).toBe('  ... and 4 more');
    expect(lines).toHaveLength(12);
  });

  test('the line of a bad row after a quoted field over two lines', async () => {
    const path = file('device,timestamp,note\ntruck-1,2026-11-20T06:00Z,"a\nb"\ntruck-1,never,\n');
    await expect(readReference(path, COLUMNS, DAY)).rejects.toThrow('  line 4: cannot read time "never"');
  });

  test('a header it cannot read, an empty file, a missing file, broken CSV', async () => {
    await expect(readReference(file('name,value\nx,1\n'), COLUMNS, DAY)).rejects.toThrow(
      'line 1: the header (name,value) has neither "device,timestamp"',
    );
    const empty = file('');
    await expect(readReference(empty, COLUMNS, DAY)).rejects.toThrow(
      `--reference ${empty}: the file is empty; a header row is expected.`,
    );
    await expect(readReference(join(dir, 'absent.csv'), COLUMNS, DAY)).rejects.toThrow(
      `--reference ${join(dir, 'absent.csv')}: no such file`,
    );
    const broken = file('device,timestamp\ntruck-1,"2026-11-20T06:00Z\n');
    const error = await readReference(broken, COLUMNS, DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(new RegExp(`^--reference ${broken}: .*[Qq]uote`));
  });

  test('the sample in docs/samples is read as the docs say', async () => {
    const samples = join(__dirname, '..', '..', 'docs', 'samples');
    const names = await readReferenceMap(join(samples, 'historian-map.csv'));
    const range = wholeHours({ from: new Date('2026-11-20T00:00Z'), to: new Date('2026-11-21T00:00Z') });
    const tally = await readReference(
      join(samples, 'historian-export.csv'),
      { ...COLUMNS, device: 'tag' },
      range,
      names,
    );
    expect([...tally.hours.keys()]).toEqual(['truck-042']);
    expect(tally).toMatchObject({ ignoredRows: 2, ignoredNames: new Set(['CRUSHER-1.BearingTemp']) });
    const hourly = await readReference(join(samples, 'historian-hourly.csv'), COLUMNS, range);
    expect(hourly.hours.get('truck-042')).toEqual(tally.hours.get('truck-042'));
  });
});

describe('readReferenceMap', () => {
  test('name,device in any order; extra columns ignored', async () => {
    expect(
      await readReferenceMap(file('site,device,name\nA,truck-1,HT-1\nA,truck-2,HT-2\nA,truck-1,HT-1\n')),
    ).toEqual(
      new Map([
        ['HT-1', 'truck-1'],
        ['HT-2', 'truck-2'],
      ]),
    );
  });

  test('refused: a header without name and device, a bad device id, a name mapped twice, a missing name', async () => {
    await expect(readReferenceMap(file('tag,truck\n'))).rejects.toThrow(
      'line 1: the header (tag,truck) must name the columns "name,device"',
    );
    const path = file('name,device\nHT-1,truck 1\nHT-2,truck-2\nHT-2,truck-3\n,truck-4\nHT-5\n');
    const error = await readReferenceMap(path).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      [
        `--reference-map ${path}: 4 row(s) cannot be read; nothing was compared.`,
        '  line 2: "truck 1" is not a device id',
        '  line 4: "HT-2" is mapped to truck-2 above and to truck-3 here',
        '  line 5: a name and a device are expected',
        '  line 6: a name and a device are expected',
      ].join('\n'),
    );
  });
});
