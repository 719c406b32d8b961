import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Interleaver } from '../../scripts/ops/backfill/interleave';
import type { FoundFile } from '../../scripts/ops/backfill/types';
import { deviceStreams, walkFiles } from '../../scripts/ops/backfill/walk';

/** The backfill's view of a real folder: which files, in which order, for which device. */
function folderWith(paths: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'backfill-walk-'));
  for (const path of paths) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '{}');
  }
  return root;
}

const collect = async (files: AsyncIterable<FoundFile>) => {
  const out: Array<[string, string, string?]> = [];
  for await (const f of files)
    out.push(f.problem ? [f.deviceId, f.path, f.problem.error] : [f.deviceId, f.path]);
  return out;
};

describe('backfill: walking the folder', () => {
  test('device folders, files in path order; hidden, non-JSON, symlinked and excluded entries left out', async () => {
    const root = folderWith([
      'truck-2/b.json',
      'truck-2/a/z.json',
      'truck-2/a.json',
      'truck-1/2026/11/26/000001.json',
      'truck-1/2026/11/25/000002.json',
      'truck-1/2026/11/25/000001.json',
      'truck-1/notes.txt',
      'truck-1/.000003.json.tmp.json',
      'truck-1/UPPER.JSON',
      '.backfill-journal.jsonl',
      'stray.json',
      'bad device/1.json',
      'quarantine/truck-1/x.json',
    ]);
    symlinkSync(join(root, 'truck-2'), join(root, 'truck-3'));
    symlinkSync(join(root, 'truck-2/b.json'), join(root, 'truck-1/linked.json'));
    expect(await collect(walkFiles(root, { exclude: [join(root, 'quarantine')] }))).toEqual([
      ['bad device', 'bad device/1.json', 'invalid_device_id'],
      ['(none)', 'stray.json', 'no_device_folder'],
      ['truck-1', 'truck-1/2026/11/25/000001.json'],
      ['truck-1', 'truck-1/2026/11/25/000002.json'],
      ['truck-1', 'truck-1/2026/11/26/000001.json'],
      ['truck-1', 'truck-1/UPPER.JSON'],
      // Plain string order of the paths: "a.json" before "a/..." ("." sorts before "/").
      ['truck-2', 'truck-2/a.json'],
      ['truck-2', 'truck-2/a/z.json'],
      ['truck-2', 'truck-2/b.json'],
    ]);
    // --device: the whole folder is one device's, and the path in the device folder is the whole path.
    const flat = folderWith(['b/2.json', 'a/1.json', 'c.json']);
    const files: FoundFile[] = [];
    for await (const f of walkFiles(flat, { device: 'truck-9' })) files.push(f);
    expect(files.map((f) => [f.deviceId, f.path, f.devicePath])).toEqual([
      ['truck-9', 'a/1.json', 'a/1.json'],
      ['truck-9', 'b/2.json', 'b/2.json'],
      ['truck-9', 'c.json', 'c.json'],
    ]);
  });

  test('devices are taken in turn, each one in path order; a device told to wait is passed over', async () => {
    const root = folderWith([
      'a/1.json',
      'a/2.json',
      'a/3.json',
      'b/1.json',
      'b/2.json',
      'b/3.json',
      'c/1.json',
      'c/2.json',
    ]);
    const order = async (width: number, ready?: (device: string) => boolean) => {
      const interleaver = new Interleaver(deviceStreams(root), width, ready);
      const out: string[] = [];
      for (let f = await interleaver.next(); f; f = await interleaver.next()) out.push(f.path);
      return out;
    };
    expect(await order(1)).toEqual([
      'a/1.json',
      'a/2.json',
      'a/3.json',
      'b/1.json',
      'b/2.json',
      'b/3.json',
      'c/1.json',
      'c/2.json',
    ]);
    expect(await order(2)).toEqual([
      'a/1.json',
      'b/1.json',
      'a/2.json',
      'b/2.json',
      'a/3.json',
      'b/3.json',
      'c/1.json',
      'c/2.json',
    ]);
    expect(await order(3)).toEqual([
      'a/1.json',
      'b/1.json',
      'c/1.json',
      'a/2.json',
      'b/2.json',
      'c/2.json',
      'a/3.json',
      'b/3.json',
    ]);
    // b is throttled (429): a and c go first; once nothing else is left, b's files are handed out anyway.
    expect(await order(3, (device) => device !== 'b')).toEqual([
      'a/1.json',
      'c/1.json',
      'a/2.json',
      'c/2.json',
      'a/3.json',
      'b/1.json',
      'b/2.json',
      'b/3.json',
    ]);
    // Calls made at once (the senders) are served one at a time: every file exactly once.
    const interleaver = new Interleaver(deviceStreams(root), 2);
    const all = await Promise.all(Array.from({ length: 10 }, () => interleaver.next()));
    expect(all.slice(8)).toEqual([undefined, undefined]);
    expect(all.slice(0, 8).map((f) => f!.path)).toEqual(await order(2));
  });
});
