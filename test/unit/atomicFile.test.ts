import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renameDurably, writeFileAtomic } from '../../scripts/ops/atomicFile';

describe('writeFileAtomic', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'atomic-'));

  test('replaces the file whole and leaves no temporary file', async () => {
    const d = dir();
    const path = join(d, 'state.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, '{"new":true}');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}');
    expect(readdirSync(d)).toEqual(['state.json']);
  });

  test('with tmpDir the temporary file goes there (same file system), and is gone after', async () => {
    const d = dir();
    const tmp = join(d, 'tmp');
    mkdirSync(tmp);
    await writeFileAtomic(join(d, 'out.bin'), Buffer.from([1, 2, 3]), { tmpDir: tmp });
    expect([...readFileSync(join(d, 'out.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a failed rename keeps what was there and removes the temporary file', async () => {
    const d = dir();
    // A non-empty folder cannot be replaced by a file.
    mkdirSync(join(d, 'taken'));
    writeFileSync(join(d, 'taken', 'inside'), 'kept');
    await expect(writeFileAtomic(join(d, 'taken'), 'data')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(d)).toEqual(['taken']);
    expect(readFileSync(join(d, 'taken', 'inside'), 'utf8')).toBe('kept');
  });

  test('renameDurably creates the target folder', async () => {
    const d = dir();
    writeFileSync(join(d, 'part'), 'verified bytes');
    await renameDurably(join(d, 'part'), join(d, 'a', 'b', 'file.json'));
    expect(readFileSync(join(d, 'a', 'b', 'file.json'), 'utf8')).toBe('verified bytes');
    expect(readdirSync(d)).toEqual(['a']);
  });
});
