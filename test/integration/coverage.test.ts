/**
 * `telemetry-ops coverage` against files posted through the real handler on Azurite, with planted
 * gaps (at the start, inside, at the end of the range), a device with no data, a backfilled file
 * (old readings, recent sentAt: not a clock error) and a device whose clock runs hours ahead.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { addDevice } from '../../shared/auth/deviceAdmin';
import { loadConfig } from '../../shared/config';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { azuriteConnectionString, describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { describeWithChromium, launchChromium } from '../helpers/browser';
import { createTestApp, oilPayload } from '../helpers/testApp';

const root = join(__dirname, '..', '..');
const artifacts = join(root, 'test-artifacts');
const run = promisify(execFile);
const HOUR = 3_600_000;
const DAY = '2026-11-20';
const at = (hour: number, minute = 0) =>
  new Date(Date.parse(`${DAY}T00:00:00Z`) + hour * HOUR + minute * 60_000);

/** Which hours of the day each device has readings in, and how far its clock is off. */
const PLAN = {
  // Gap at the start (00-02) and inside (10-13); hour 05 arrives days later by backfill.
  'truck-c1': {
    hours: [2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
    aheadSeconds: 0,
  },
  // Gap at the end (20-24).
  'truck-c2': { hours: [...Array(20).keys()], aheadSeconds: 0 },
  // Every hour covered, but the gateway's clock runs 3 hours ahead.
  'truck-c3': { hours: [...Array(24).keys()], aheadSeconds: 3 * 3600 },
} as const;

async function plant(env: NodeJS.ProcessEnv): Promise<void> {
  const now = { value: at(0) };
  const app = await createTestApp(
    {
      INGEST_AUTH: 'off',
      RAW_CONTAINER: env.RAW_CONTAINER!,
      IDEMPOTENCY_TABLE: env.IDEMPOTENCY_TABLE!,
      DEVICES_TABLE: env.DEVICES_TABLE!,
    },
    undefined,
    () => now.value,
  );
  const clients = createStorageClients(loadConfig(env));
  await ensureStorageResources(clients);
  const registry = new TableDeviceRegistry(clients.devicesTable, 10_000);
  for (const id of [...Object.keys(PLAN), 'truck-c4']) await addDevice(registry, id, 'oil-condition-v1');

  for (const [deviceId, { hours, aheadSeconds }] of Object.entries(PLAN)) {
    for (const hour of hours) {
      const backfilled = deviceId === 'truck-c1' && hour === 5;
      // Sent a few minutes after the hour's readings, or (backfill) five days later.
      now.value = backfilled ? new Date(at(hour).getTime() + 5 * 24 * HOUR) : at(hour, 31);
      const sentAt = new Date(now.value.getTime() + aheadSeconds * 1000 - 2000).toISOString();
      const readings = [at(hour, 10), at(hour, 20), at(hour, 30)].map((t) => ({
        timestamp: t.toISOString(),
        oilTemperatureC: 80 + hour,
      }));
      const res = await app.post(deviceId, oilPayload(deviceId, { sentAt, readings }));
      expect(res.status).toBe(200);
    }
  }
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return run(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts', 'ops', 'cli.ts'), 'coverage', ...args],
    {
      cwd: root,
      env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

const RANGE = ['--from', `${DAY}T00:00:00Z`, '--to', '2026-11-21T00:00:00Z'];

const EXPECTED = {
  from: '2026-11-20T00:00:00.000Z',
  to: '2026-11-21T00:00:00.000Z',
  devices: [
    {
      deviceId: 'truck-c1',
      files: 19,
      orphaned: 0,
      pending: 0,
      readings: 57,
      hoursCovered: 19,
      hoursInRange: 24,
      gaps: [
        { from: '2026-11-20T10:00:00.000Z', to: '2026-11-20T13:00:00.000Z', hours: 3 },
        { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T02:00:00.000Z', hours: 2 },
      ],
      // The backfilled file's readings are five days old, but it was sent when it was received.
      clock: { aheadFiles: 0, behindFiles: 0, maxAheadSeconds: 0, maxBehindSeconds: 0 },
    },
    {
      deviceId: 'truck-c2',
      files: 20,
      orphaned: 0,
      pending: 0,
      readings: 60,
      hoursCovered: 20,
      hoursInRange: 24,
      gaps: [{ from: '2026-11-20T20:00:00.000Z', to: '2026-11-21T00:00:00.000Z', hours: 4 }],
      clock: { aheadFiles: 0, behindFiles: 0, maxAheadSeconds: 0, maxBehindSeconds: 0 },
    },
    {
      deviceId: 'truck-c3',
      files: 24,
      orphaned: 0,
      pending: 0,
      readings: 72,
      hoursCovered: 24,
      hoursInRange: 24,
      gaps: [],
      clock: { aheadFiles: 24, behindFiles: 0, maxAheadSeconds: 10_798, maxBehindSeconds: 0 },
    },
    {
      deviceId: 'truck-c4',
      files: 0,
      orphaned: 0,
      pending: 0,
      readings: 0,
      hoursCovered: 0,
      hoursInRange: 24,
      gaps: [{ from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z', hours: 24 }],
      clock: { aheadFiles: 0, behindFiles: 0, maxAheadSeconds: 0, maxBehindSeconds: 0 },
    },
  ],
};

describeWithAzurite('coverage report on planted data', () => {
  const { env } = uniqueStorageEnv();
  const htmlFile = join(artifacts, 'coverage-report.html');

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await plant(env);
  }, 120_000);

  test('--json finds exactly the planted gaps and the clock that runs ahead', async () => {
    const { stdout } = await cli(env, ...RANGE, '--json', '--out', htmlFile, '--quiet');
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toEqual(EXPECTED);
  }, 60_000);

  test('the terminal table shows coverage, gaps longest first and the clock warning', async () => {
    const { stdout } = await cli(env, ...RANGE, '--quiet');
    expect(stdout).toMatch(/truck-c1 +19 +57 +79\.2% 19\/24 +2026-11-20T10Z \+3h, 2026-11-20T00Z \+2h/);
    expect(stdout).toMatch(/truck-c4 +0 +0 +0\.0% 0\/24 +2026-11-20T00Z \+24h/);
    expect(stdout).toMatch(/truck-c3: 24 file\(s\) ahead, up to 10798 s/);
  }, 60_000);

  test('--device narrows the report; a tolerance above the offset clears the clock warning', async () => {
    const { stdout } = await cli(env, ...RANGE, '--json', '--device', 'truck-c3', '--clock-tolerance', '4h');
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as typeof EXPECTED;
    expect(report.devices.map((d) => d.deviceId)).toEqual(['truck-c3']);
    expect(report.devices[0]!.clock.aheadFiles).toBe(0);
  }, 60_000);

  test('bad usage exits 64 with a clear message', async () => {
    const failure = await cli(env, '--from', 'yesterday', '--to', '2026-11-21').catch((err: unknown) => err);
    expect(failure).toMatchObject({
      code: 64,
      stderr: expect.stringMatching(
        /option '--from <iso>' argument 'yesterday' is invalid\. Expected an ISO date/,
      ),
    });
    const backwards = await cli(env, '--from', '2026-11-21', '--to', '2026-11-20').catch(
      (err: unknown) => err,
    );
    expect(backwards).toMatchObject({
      code: 64,
      stderr: expect.stringContaining('--to must be after --from'),
    });
  }, 60_000);

  describe('--rebuild', () => {
    const old = uniqueStorageEnv().env;
    test('files stored before the ledger and without summaries, adopted from their blobs, give the same report', async () => {
      await plant(old);
      // As entries written before summaries and the ledger existed: the same claims without the
      // summary's fields, and no ledger rows beside them.
      const table = TableClient.fromConnectionString(azuriteConnectionString(), old.IDEMPOTENCY_TABLE!, {
        allowInsecureConnection: true,
      });
      const summaryFields = [
        'summaryVersion',
        'readings',
        'firstReadingAt',
        'lastReadingAt',
        'readingHours',
        'sentAt',
        'clockOffsetSeconds',
      ];
      for await (const entity of table.listEntities<Record<string, unknown>>()) {
        if (entity.rowKey!.startsWith('~~')) {
          await table.deleteEntity(entity.partitionKey!, entity.rowKey!);
          continue;
        }
        const stripped = Object.fromEntries(
          Object.entries(entity).filter(
            ([k]) => !summaryFields.includes(k) && k !== 'etag' && k !== 'timestamp',
          ),
        );
        await table.updateEntity(stripped as { partitionKey: string; rowKey: string }, 'Replace');
      }
      const before = JSON.parse(
        (await cli(old, ...RANGE, '--json', '--quiet')).stdout.trim().split('\n').at(-1)!,
      ) as typeof EXPECTED;
      // Outside the ledger, nothing counts: not the truth.
      expect(before.devices.map((d) => d.readings)).toEqual([0, 0, 0, 0]);

      // The range's own days: 62 files; the backfilled one was received five days later.
      const { stdout, stderr } = await cli(old, ...RANGE, '--json', '--rebuild');
      expect(stderr).toContain(
        'rebuild: 62 of 62 files received in the range adopted into the ledger now; 0 failed.',
      );
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as typeof EXPECTED;
      expect(report.devices[0]).toMatchObject({ deviceId: 'truck-c1', readings: 54 });
      // Widening the receipt window adopts it too; then the report is the truth.
      const wide = await cli(
        old,
        '--from',
        `${DAY}T00:00:00Z`,
        '--to',
        '2026-11-26T00:00:00Z',
        '--rebuild',
        '--json',
      );
      expect(wide.stderr).toContain(
        'rebuild: 1 of 63 files received in the range adopted into the ledger now; 0 failed.',
      );
      const truth = await cli(old, ...RANGE, '--json', '--quiet');
      expect(JSON.parse(truth.stdout.trim().split('\n').at(-1)!)).toEqual(EXPECTED);
      // Idempotent: a second rebuild finds nothing to do.
      const again = await cli(old, ...RANGE, '--json', '--rebuild');
      expect(again.stderr).toContain(
        'rebuild: 0 of 62 files received in the range adopted into the ledger now; 0 failed.',
      );
    }, 180_000);
  });

  describeWithChromium('the HTML report in a real browser', () => {
    test('renders without console errors, shows every device, gaps visible, counts on hover', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const problems: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('request', (r) => !r.url().startsWith('file:') && problems.push(`fetched ${r.url()}`));
        await page.goto(`file://${htmlFile}`);
        for (const id of ['truck-c1', 'truck-c2', 'truck-c3', 'truck-c4'])
          expect(await page.locator('svg text.device', { hasText: id }).count()).toBe(1);
        expect(await page.locator('svg rect.gap').count()).toBe(4);
        const titles = await page.locator('svg rect title').allTextContents();
        expect(titles).toContain(
          'truck-c1 · gap 2026-11-20 10:00Z – 2026-11-20 13:00Z · 3 h without readings',
        );
        expect(titles).toContain('truck-c3 · 2026-11-20 07:00Z · 3 readings');
        await page.screenshot({ path: join(artifacts, 'coverage-report.png'), fullPage: true });
        expect(problems).toEqual([]);
        expect(readFileSync(htmlFile, 'utf8')).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
});
