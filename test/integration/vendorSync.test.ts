import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BlobServiceClient, ContainerSASPermissions } from '@azure/storage-blob';
import { ChaosFault, ChaosProxy } from '../support/faults/faultProxy';
import {
  azuriteConnectionString,
  azuritePorts,
  connectionStringVia,
  describeWithAzurite,
} from '../helpers/azurite';
import { TestClock } from '../helpers/clock';
import { storageOps } from '../helpers/storageOps';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';
import { filesUnder, runVendor } from '../support/vendorCli';
import { syncContainer } from '../../scripts/ops/handoff/syncContainer';
import { lockFolder } from '../../scripts/ops/folderLock';

const DAY_MS = 86_400_000;
const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const dayPath = (date: Date) => date.toISOString().slice(0, 10).replace(/-/g, '/');

/**
 * `npm run vendor -- sync` as the vendor runs it (a separate process), against files stored through
 * the real ingest handler on Azurite. Where a test depends on days (old day prefixes, the
 * confirmation record), the ingest, the sweep and the sync share one TestClock and the sync runs in
 * this process: a test never reads the real clock for days, so it cannot fail near UTC midnight.
 */
describeWithAzurite('vendor sync', () => {
  const dests: string[] = [];
  const newDest = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vendor-sync-'));
    dests.push(dir);
    return dir;
  };
  const env = { ...process.env, AZURITE_FOR_VENDOR: azuriteConnectionString() };
  const sync = (app: TestApp, dest: string, ...args: string[]) =>
    runVendor(
      [
        'sync',
        '--dest',
        dest,
        '--connection-string-env',
        'AZURITE_FOR_VENDOR',
        '--container',
        app.runtime.config.rawContainer,
        '--json',
        ...args,
      ],
      env,
    );
  const stored = async (app: TestApp, deviceId: string, body: string | Uint8Array, headers = {}) => {
    const answer = await app.post(deviceId, body, headers);
    expect(answer).toMatchObject({ status: 200, body: { status: 'stored' } });
    return answer.body as { blob: string; sha256: string };
  };
  const tempFilesLeft = (dest: string) => readdirSync(join(dest, '.telemetry-sync', 'tmp'));
  /** The same sync in this process, on the test's clock; its summary as `--json` prints it. */
  const syncAt = async (clock: TestClock, app: TestApp, dest: string) => {
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
      app.runtime.config.rawContainer,
    );
    const { listed, downloaded, skipped, failed } = await syncContainer(container, {
      dest,
      concurrency: 4,
      now: clock.now,
      log: () => undefined,
    });
    return { listed, downloaded, skipped, failed };
  };

  afterAll(() => {
    for (const dir of dests) rmSync(dir, { recursive: true, force: true });
  });

  test('downloads every stored file, verified, under its blob name; a second run downloads nothing', async () => {
    const clock = new TestClock();
    const app = await createTestApp({}, undefined, clock.now);
    const plain = oilPayload('truck-s1', { sequence: 1 });
    const zipped = oilPayload('truck-s1', { sequence: 2 });
    const other = oilPayload('truck-s2', { sequence: 1 });
    const sent = new Map<string, string>();
    sent.set((await stored(app, 'truck-s1', plain)).blob, plain);
    clock.advance(DAY_MS);
    const gz = await stored(app, 'truck-s1', gzipSync(zipped), { 'content-encoding': 'gzip' });
    sent.set(gz.blob, zipped);
    sent.set((await stored(app, 'truck-s2', other)).blob, other);

    const dest = newDest();
    clock.advance(DAY_MS);
    expect(await syncAt(clock, app, dest)).toEqual({ listed: 3, downloaded: 3, skipped: 0, failed: 0 });
    expect(filesUnder(dest)).toEqual([...sent.keys()].sort());
    // The JSON as sent; for the gzip upload the decompressed JSON, as the contract says.
    for (const [name, body] of sent) expect(readFileSync(join(dest, name), 'utf8')).toBe(body);
    expect(tempFilesLeft(dest)).toEqual([]);

    // Nothing confirmed since: nothing listed. Once the sweep has confirmed the three, the record
    // lists them and they are recognised as here.
    expect(await syncAt(clock, app, dest)).toEqual({ listed: 0, downloaded: 0, skipped: 0, failed: 0 });
    clock.advance(60_000);
    expect(await app.runtime.sweep()).toMatchObject({ confirmed: 3 });
    expect(await syncAt(clock, app, dest)).toEqual({ listed: 3, downloaded: 0, skipped: 3, failed: 0 });
  }, 60_000);

  test("a file that lands 30 days after its claim, in that day's folder, is fetched by the next run", async () => {
    // The blob PUT fails after the claim is inserted: claim pending, no blob, the gateway keeps the file.
    const { blobPort, tablePort } = azuritePorts();
    const blobProxy = new ChaosProxy({ host: '127.0.0.1', port: blobPort });
    const clock = new TestClock();
    const app = await createTestApp(
      // No sweep runs while the truck is in the workshop, so the claim is still pending when it returns.
      { STORAGE_TIMEOUT_MS: '1500' },
      connectionStringVia(await blobProxy.listen(), tablePort),
      clock.now,
    );
    try {
      const early = oilPayload('truck-late', { sequence: 1 });
      const late = oilPayload('truck-late', { sequence: 2 });
      const earlyBlob = (await stored(app, 'truck-late', early)).blob;
      blobProxy.add({ match: storageOps.blobPut, fault: ChaosFault.Status503 });
      expect((await app.post('truck-late', late)).status).toBe(503);
      blobProxy.clear();
      const claimedDay = clock.now();

      // The next day the vendor syncs for the first time: only the early file is there.
      clock.advance(DAY_MS);
      const dest = newDest();
      expect(await syncAt(clock, app, dest)).toMatchObject({ downloaded: 1, failed: 0 });

      // 30 days after its claim the truck is back: the retry lands under the claim's day, a month back.
      clock.advance(29 * DAY_MS);
      const lateBlob = (await stored(app, 'truck-late', late)).blob;
      expect(lateBlob.startsWith(`truck-late/${dayPath(claimedDay)}/`)).toBe(true);
      // Not confirmed yet: the sync does not see it (and no day listing would, a month back).
      expect(await syncAt(clock, app, dest)).toMatchObject({ listed: 0, downloaded: 0 });

      clock.advance(60_000);
      expect(await app.runtime.sweep()).toMatchObject({ confirmed: 2 });
      expect(await syncAt(clock, app, dest)).toMatchObject({ downloaded: 1, failed: 0 });
      expect(readFileSync(join(dest, lateBlob), 'utf8')).toBe(late);
      expect(filesUnder(dest)).toEqual([earlyBlob, lateBlob].sort());

      expect(await syncAt(clock, app, dest)).toMatchObject({ downloaded: 0, failed: 0 });
    } finally {
      await blobProxy.close();
    }
  }, 90_000);

  test('a blob whose bytes do not match its sha256 is reported, not placed, and retried until it is gone', async () => {
    const app = await createTestApp();
    const good = await stored(app, 'truck-bad', oilPayload('truck-bad', { sequence: 1 }));
    // In the good file's day folder (the app's clock, not this test's).
    const badName = `${good.blob.split('/').slice(0, 4).join('/')}/000000000Z_0000000000000000.json`;
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
      app.runtime.config.rawContainer,
    );
    const bytes = oilPayload('truck-bad', { sequence: 2 });
    await container.getBlockBlobClient(badName).upload(bytes, bytes.length, {
      metadata: { sha256: sha256(`${bytes} `) },
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });

    const dest = newDest();
    for (let run = 0; run < 2; run++) {
      const result = await sync(app, dest);
      expect(result.code).toBe(1);
      expect(result.json()).toMatchObject({ downloaded: run === 0 ? 1 : 0, failed: 1 });
      expect(result.stderr).toContain(`REJECTED ${badName}`);
      expect(result.stderr).toMatch(/sha256 metadata says/);
      expect(filesUnder(dest)).toEqual([good.blob]);
      expect(tempFilesLeft(dest)).toEqual([]);
    }

    // The operator removes the damaged blob: the next run forgets it and is clean again.
    await container.getBlobClient(badName).delete();
    const after = await sync(app, dest);
    expect(after.code).toBe(0);
    // Only the failure is retried by name (nothing new was confirmed), and it is gone.
    expect(after.json()).toEqual({ listed: 1, downloaded: 0, skipped: 0, failed: 0 });
    expect(after.stderr).toContain(`${badName} (failed earlier) no longer exists`);
  }, 60_000);

  test('a lost state costs no downloads: the verified files in --dest are recognised', async () => {
    const app = await createTestApp();
    for (const sequence of [1, 2]) await stored(app, 'truck-st', oilPayload('truck-st', { sequence }));
    const dest = newDest();
    expect((await sync(app, dest)).json()).toMatchObject({ downloaded: 2 });
    const state = JSON.parse(readFileSync(join(dest, '.telemetry-sync', 'state.json'), 'utf8'));
    expect(Object.keys(state.files)).toHaveLength(2);
    expect(Object.keys(state.devices)).toEqual(['truck-st']);

    // As after a crash before the first save: the state is gone, the placed files are not.
    rmSync(join(dest, '.telemetry-sync'), { recursive: true });
    const again = await sync(app, dest);
    expect(again.code).toBe(0);
    expect(again.json()).toEqual({ listed: 2, downloaded: 0, skipped: 2, failed: 0 });
  }, 60_000);

  test('--device limits the sync to the devices named', async () => {
    const app = await createTestApp();
    const wanted = await stored(app, 'truck-d1', oilPayload('truck-d1'));
    const alsoWanted = await stored(app, 'truck-d3', oilPayload('truck-d3'));
    await stored(app, 'truck-d2', oilPayload('truck-d2'));
    const dest = newDest();
    const result = await sync(app, dest, '--device', 'truck-d1', '--device', 'truck-d3');
    expect(result.json()).toEqual({ listed: 2, downloaded: 2, skipped: 0, failed: 0 });
    expect(filesUnder(dest)).toEqual([wanted.blob, alsoWanted.blob].sort());
  }, 60_000);

  test('access errors exit 2 and place nothing: a tampered SAS URL, a missing container', async () => {
    const app = await createTestApp();
    await stored(app, 'truck-ax', oilPayload('truck-ax'));
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
      app.runtime.config.rawContainer,
    );
    const good = await container.generateSasUrl({
      permissions: ContainerSASPermissions.parse('rl'),
      expiresOn: new Date(Date.now() + DAY_MS),
    });
    const url = new URL(good);
    // Another first character: one that happened to be 'A' already (1 run in 64) left the SAS valid.
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', (sig.startsWith('A') ? 'B' : 'A') + sig.slice(1));
    const dest = newDest();
    const tampered = await runVendor(['sync', '--dest', dest, '--sas-url', url.toString(), '--json'], env);
    expect(tampered.code).toBe(2);
    expect(tampered.json()).toEqual({ listed: 0, downloaded: 0, skipped: 0, failed: 0 });
    expect(tampered.stderr).toMatch(/HTTP 403/);
    expect(tampered.stderr).not.toContain(url.searchParams.get('sig')!); // a SAS is never echoed
    expect(filesUnder(dest)).toEqual([]);

    const missing = await runVendor(
      [
        'sync',
        '--dest',
        newDest(),
        '--connection-string-env',
        'AZURITE_FOR_VENDOR',
        '--container',
        'no-such',
      ],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/HTTP 404/);
  }, 60_000);

  test('a second sync on the same --dest is refused, naming the first, and exits 2; once it is done the next runs', async () => {
    const app = await createTestApp();
    const { blob } = await stored(app, 'truck-lk', oilPayload('truck-lk'));
    const dest = newDest();
    mkdirSync(join(dest, '.telemetry-sync'));
    // This test process plays the first sync: it holds the lock the CLI takes.
    const first = await lockFolder(join(dest, '.telemetry-sync', 'lock'), 'sync');
    const second = await sync(app, dest);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(
        `^error: Another sync \\(pid ${process.pid} on [^,]+, since [^)]+\\) is using \\S+lock; wait for it to finish\\.`,
        'm',
      ),
    );
    expect(second.json()).toEqual({ listed: 0, downloaded: 0, skipped: 0, failed: 0 });
    expect(filesUnder(dest)).toEqual([]);

    await first.release();
    const third = await sync(app, dest);
    expect({ code: third.code, files: filesUnder(dest) }).toEqual({ code: 0, files: [blob] });
  }, 60_000);

  test('bad usage exits 64 and does nothing', async () => {
    const dest = newDest();
    const two = await runVendor(
      ['sync', '--dest', dest, '--account', 'acct', '--sas-url', 'http://x/?sig=1'],
      env,
    );
    expect(two.code).toBe(64);
    expect(two.stderr).toContain('exactly one of --sas-url, --account or --connection-string-env');

    // A --dest holding another container's sync is refused rather than mixed.
    const app = await createTestApp();
    await stored(app, 'truck-u', oilPayload('truck-u'));
    expect((await sync(app, dest)).code).toBe(0);
    const other = await createTestApp();
    const mixed = await sync(other, dest);
    expect(mixed.code).toBe(64);
    expect(mixed.stderr).toContain('use another --dest');
  }, 60_000);
});
