import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderLockedError, lockFolder } from '../../scripts/ops/folderLock';

/** A pid that ran on this host and has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('lockFolder', () => {
  const lockIn = () => join(mkdtempSync(join(tmpdir(), 'lock-')), 'lock');

  test('a second taker is refused with a message naming the holder; after release it can take it', async () => {
    const path = lockIn();
    const first = await lockFolder(path, 'sync');
    const holder = JSON.parse(readFileSync(path, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });

    const second = lockFolder(path, 'sync');
    await expect(second).rejects.toBeInstanceOf(FolderLockedError);
    await expect(second).rejects.toThrow(
      new RegExp(`^Another sync \\(pid ${process.pid} on .+, since .+\\) is using ${path}; wait for it`),
    );

    await first.release();
    expect(existsSync(path)).toBe(false);
    const again = await lockFolder(path, 'sync');
    await again.release();
  });

  test('two takers at the same moment: exactly one wins, the other gets the clear message', async () => {
    const path = lockIn();
    const results = await Promise.allSettled([lockFolder(path, 'sync'), lockFolder(path, 'sync')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(FolderLockedError);
  });

  test('a lock left by a process that no longer runs on this host is taken over', async () => {
    const path = lockIn();
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const lock = await lockFolder(path, 'sync');
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    // Nothing left beside it (no temporary or moved-aside files).
    expect(readdirSync(join(path, '..'))).toEqual([]);
  });

  test('an unreadable lock (an older format, a damaged file) is stale', async () => {
    const path = lockIn();
    writeFileSync(path, '12345');
    await (await lockFolder(path, 'sync')).release();
  });

  test("another host's lock is never taken over (its process cannot be checked from here)", async () => {
    const path = lockIn();
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: 'elsewhere', since: '2026-01-01T00:00:00Z' }));
    await expect(lockFolder(path, 'sync')).rejects.toThrow(/on elsewhere.*If none is running, delete/);
  });

  test('release leaves a lock that is no longer ours alone', async () => {
    const path = lockIn();
    const lock = await lockFolder(path, 'sync');
    const someoneElse = JSON.stringify({ pid: 1, host: hostname(), since: 'now' });
    writeFileSync(path, someoneElse);
    await lock.release();
    expect(readFileSync(path, 'utf8')).toBe(someoneElse);
  });
});
