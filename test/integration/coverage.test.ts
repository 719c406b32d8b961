/**
 * `telemetry-ops coverage` against files posted through the real handler on Azurite, with planted
 * gaps (at the start, inside, at the end of the range), a device with no data, a backfilled file
 * (old readings, recent sentAt: not a clock error) and a device whose clock runs hours ahead.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One file as a gateway writes it: three readings at :10, :20, :30 of the hour (by the device's
 * clock), written (sentAt) when `sentAt` says, and received when `receivedAt` says. A resend or a
 * buffered file carries the same bytes: its sentAt is when it was written, not when it arrived.
 */
interface Planted {
  deviceId: string;
  readingsAt: number[];
  sentAt: number;
  receivedAt: number;
}

/** A file written two seconds before it arrived, by a correct clock, for the hour's readings. */
const live = (deviceId: string, hour: number): Planted => ({
  deviceId,
  readingsAt: [10, 20, 30].map((m) => at(hour, m).getTime()),
  sentAt: at(hour, 31).getTime() - 2 * SECOND,
  receivedAt: at(hour, 31).getTime(),
});
const hoursOf = (...ranges: Array<[number, number]>) =>
  ranges.flatMap(([from, to]) => Array.from({ length: to - from }, (_, i) => from + i));

const BUFFER_FLUSH = Date.parse('2026-11-22T06:00:00Z');
const RESET_ORIGIN = Date.parse('1970-01-01T00:00:00Z');

/** What each device sends: planted gaps, a backfill, a buffer, a fast, a slow and a reset clock. */
const PLAN: Planted[] = [
  // Gaps at the start (00-02) and inside (10-13); hour 05 was backfilled five days later with the
  // bytes the gateway wrote then: old readings, old sentAt. Waiting, not a clock error.
  ...hoursOf([2, 10], [13, 24]).map((hour) =>
    hour === 5
      ? { ...live('truck-c1', 5), receivedAt: at(5).getTime() + 5 * 24 * HOUR }
      : live('truck-c1', hour),
  ),
  // Gap at the end (20-24).
  ...hoursOf([0, 20]).map((hour) => live('truck-c2', hour)),
  // Every hour covered, but the gateway's clock runs 3 hours ahead: its times are 3 h too late.
  ...hoursOf([0, 24]).map((hour) => {
    const file = live('truck-c3', hour);
    return { ...file, readingsAt: file.readingsAt.map((t) => t + 3 * HOUR), sentAt: file.sentAt + 3 * HOUR };
  }),
  // truck-c5: out of coverage for two days: every file of the range arrived on the 22nd at 06:00,
  // with the file the gateway wrote just before it reconnected (the upload's freshest file).
  ...hoursOf([0, 24]).map((hour) => ({ ...live('truck-c5', hour), receivedAt: BUFFER_FLUSH })),
  {
    deviceId: 'truck-c5',
    readingsAt: [50, 55].map((m) => BUFFER_FLUSH - 60 * MINUTE + m * MINUTE),
    sentAt: BUFFER_FLUSH - 2 * SECOND,
    receivedAt: BUFFER_FLUSH,
  },
  // truck-c6: the clock runs 40 minutes behind on every file, the freshest included.
  // Its times are 40 minutes early: written at 10:31 by its clock, received at 11:11.
  ...hoursOf([0, 24]).map((hour) => ({
    ...live('truck-c6', hour),
    sentAt: at(hour, 31).getTime(),
    receivedAt: at(hour, 31).getTime() + 40 * MINUTE,
  })),
  // truck-c7: the clock fell back to 1970 for the 10:00 hour; its file arrived, stamped 1970.
  ...hoursOf([0, 24]).map((hour) => {
    const file = live('truck-c7', hour);
    if (hour !== 10) return file;
    const shift = RESET_ORIGIN - at(10).getTime();
    return { ...file, readingsAt: file.readingsAt.map((t) => t + shift), sentAt: file.sentAt + shift };
  }),
];

const REGISTERED = ['truck-c1', 'truck-c2', 'truck-c3', 'truck-c4', 'truck-c5', 'truck-c6', 'truck-c7'];

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
  for (const id of REGISTERED) await addDevice(registry, id, 'oil-condition-v1');
  for (const file of PLAN) {
    now.value = new Date(file.receivedAt);
    const readings = file.readingsAt.map((t) => ({ timestamp: iso(t), oilTemperatureC: 80 }));
    const res = await app.post(
      file.deviceId,
      oilPayload(file.deviceId, { sentAt: iso(file.sentAt), readings }),
    );
    expect(res.status).toBe(200);
  }
}

function ops(env: NodeJS.ProcessEnv, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'ops', 'cli.ts'), ...args], {
    cwd: root,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
}
const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => ops(env, 'coverage', ...args);
type Report = { devices: Array<{ deviceId: string; reference?: object } & Record<string, unknown>> };
const lastJson = <T = Report>(stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as T;

const RANGE = ['--from', `${DAY}T00:00:00Z`, '--to', '2026-11-21T00:00:00Z'];
const span = (from: string, to: string, hours: number) => ({
  from: `2026-11-${from}:00:00.000Z`,
  to: `2026-11-${to}:00:00.000Z`,
  hours,
});
const WHOLE_DAY = span('20T00', '21T00', 24);

const CLOCK_OK = { aheadFiles: 0, behindFiles: 0, maxAheadSeconds: 0, maxBehindSeconds: 0, resetFiles: 0 };
const LIVE = { minSeconds: 2, medianSeconds: 2, maxSeconds: 2 };
const device = (deviceId: string, fields: object) => ({
  deviceId,
  files: 0,
  orphaned: 0,
  pending: 0,
  readings: 0,
  hoursCovered: 0,
  hoursInRange: 24,
  gaps: [] as object[],
  resets: [] as object[],
  clock: { ...CLOCK_OK, delay: LIVE as object | null },
  ...fields,
});

const EXPECTED = {
  from: '2026-11-20T00:00:00.000Z',
  to: '2026-11-21T00:00:00.000Z',
  devices: [
    device('truck-c1', {
      files: 19,
      readings: 57,
      hoursCovered: 19,
      gaps: [span('20T10', '20T13', 3), span('20T00', '20T02', 2)],
      // The backfilled file waited five days less its 31 minutes: a delay, not a clock error.
      clock: { ...CLOCK_OK, delay: { minSeconds: 2, medianSeconds: 2, maxSeconds: 5 * 86_400 - 1858 } },
    }),
    device('truck-c2', { files: 20, readings: 60, hoursCovered: 20, gaps: [span('20T20', '21T00', 4)] }),
    device('truck-c3', {
      // Its readings are stamped three hours late: hours 00-03 look empty, 21-23's readings land tomorrow.
      files: 21,
      readings: 63,
      hoursCovered: 21,
      gaps: [span('20T00', '20T03', 3)],
      clock: {
        ...CLOCK_OK,
        aheadFiles: 24,
        maxAheadSeconds: 10_798,
        delay: { minSeconds: -10_798, medianSeconds: -10_798, maxSeconds: -10_798 },
      },
    }),
    device('truck-c4', { gaps: [WHOLE_DAY], clock: { ...CLOCK_OK, delay: null } }),
    device('truck-c5', {
      files: 24,
      readings: 72,
      hoursCovered: 24,
      // Received on the 22nd at 06:00, written 30 h 29 min to 53 h 29 min before; the freshest file
      // of that upload, written two seconds before it arrived, shows the clock is right.
      clock: { ...CLOCK_OK, delay: { minSeconds: 109_742, medianSeconds: 151_142, maxSeconds: 192_542 } },
    }),
    device('truck-c6', {
      files: 24,
      readings: 72,
      hoursCovered: 24,
      clock: {
        ...CLOCK_OK,
        behindFiles: 24,
        maxBehindSeconds: 2400,
        delay: { minSeconds: 2400, medianSeconds: 2400, maxSeconds: 2400 },
      },
    }),
    device('truck-c7', {
      // The reset file counts as a file; its readings (stamped 1970) are not the range's.
      files: 24,
      readings: 69,
      hoursCovered: 23,
      resets: [span('20T10', '20T11', 1)],
      clock: { ...CLOCK_OK, resetFiles: 1, delay: LIVE },
    }),
  ],
};

/**
 * The historian's export (one row per reading, its own column names, tag names mapped to device
 * ids): truck-c1 until the Modbus link failed at 12:00, truck-c2 for 00-10 and 20-22, truck-c8 (a
 * truck only the historian knows) for 00-02, a crusher the map does not name, and rows outside the
 * range. Times with and without an offset.
 */
function writeReference(dir: string): { csv: string; map: string } {
  const rows = ['quality,tag,time,value'];
  const reading = (tag: string, hour: number, minute: number, withOffset = false) => {
    const t = at(hour, minute);
    const time = withOffset
      ? `${iso(t.getTime() + 8 * HOUR).slice(0, 19)}+08:00`
      : iso(t.getTime()).slice(0, 19).replace('T', ' ');
    rows.push(`good,${tag},${time},80.5`);
  };
  for (const hour of hoursOf([0, 12])) [15, 45].forEach((m) => reading('HT-C1.OilTemp', hour, m, m === 45));
  for (const hour of hoursOf([0, 10], [20, 22])) reading('"HT-C2.OilTemp"', hour, 5);
  for (const hour of hoursOf([0, 2])) reading('HT-C8.OilTemp', hour, 5);
  for (const hour of hoursOf([0, 24])) reading('Crusher-1.Temp', hour, 0);
  reading('HT-C1.OilTemp', -1, 59);
  reading('HT-C1.OilTemp', 24, 0);
  const csv = join(dir, 'historian.csv');
  writeFileSync(csv, `${rows.join('\r\n')}\r\n`);
  const map = join(dir, 'historian-map.csv');
  writeFileSync(
    map,
    'name,device\nHT-C1.OilTemp,truck-c1\nHT-C2.OilTemp,truck-c2\nHT-C8.OilTemp,truck-c8\nHT-C9.OilTemp,truck-c9\n',
  );
  return { csv, map };
}

const reference = (
  hoursBoth: number,
  hoursFilled: number,
  hoursReferenceOnly: number,
  stillMissing: object[],
) => ({
  hoursBoth,
  hoursFilled,
  hoursReferenceOnly,
  hoursStillMissing: 24 - hoursBoth - hoursFilled - hoursReferenceOnly,
  stillMissing,
});

/** Per device, what each source has, hour by hour of the planted day. */
const EXPECTED_REFERENCE: Record<string, object> = {
  // JSON 02-10 and 13-24, historian 00-12: both 02-10, filled 13-24, historian only 00-02 and 10-12.
  'truck-c1': reference(8, 11, 4, [span('20T12', '20T13', 1)]),
  // JSON 00-20, historian 00-10 and 20-22.
  'truck-c2': reference(10, 10, 2, [span('20T22', '21T00', 2)]),
  'truck-c3': reference(0, 21, 0, [span('20T00', '20T03', 3)]),
  'truck-c4': reference(0, 0, 0, [WHOLE_DAY]),
  'truck-c5': reference(0, 24, 0, []),
  'truck-c6': reference(0, 24, 0, []),
  // The reset hour has no reading of the day, in either source.
  'truck-c7': reference(0, 23, 0, [span('20T10', '20T11', 1)]),
  'truck-c8': reference(0, 0, 2, [span('20T02', '21T00', 22)]),
};

describeWithAzurite('coverage report on planted data', () => {
  const { env } = uniqueStorageEnv();
  const htmlFile = join(artifacts, 'coverage-report.html');
  let files: { csv: string; map: string };
  const withReference = () => [
    '--reference',
    files.csv,
    '--reference-map',
    files.map,
    '--reference-device-column',
    'tag',
    '--reference-time-column',
    'Time',
  ];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    files = writeReference(mkdtempSync(join(tmpdir(), 'coverage-reference-')));
    await plant(env);
  }, 120_000);

  test('--json finds exactly the planted gaps, the backfill and the buffer as delays, and each clock fault', async () => {
    const { stdout } = await cli(env, ...RANGE, '--json', '--quiet');
    expect(lastJson(stdout)).toEqual(EXPECTED);
  }, 60_000);

  test('times without an offset are UTC whatever TZ the CLI runs under', async () => {
    const perth = { ...env, TZ: 'Australia/Perth' };
    const { stdout } = await cli(perth, '--from', `${DAY}T00:00`, '--to', '2026-11-21', '--json', '--quiet');
    expect(lastJson(stdout)).toEqual(EXPECTED);
  }, 60_000);

  test('the historian held against ours: the exact four states per device-hour', async () => {
    const { stdout, stderr } = await cli(env, ...RANGE, '--json', '--out', htmlFile, ...withReference());
    expect(stderr).toContain("reference: 64 rows read, 2 outside the range's whole hours.");
    expect(stderr).toContain('reference: 24 rows of names not in --reference-map ignored: Crusher-1.Temp.');
    const report = lastJson(stdout);
    expect(
      Object.fromEntries(report.devices.map((d) => [d.deviceId, (d as { reference?: object }).reference])),
    ).toEqual(EXPECTED_REFERENCE);
    // Everything else is the report without a reference; the historian-only truck joins it.
    expect(report.devices.slice(0, 7).map(({ reference: _r, ...d }: { reference?: object }) => d)).toEqual(
      EXPECTED.devices,
    );
    expect(report.devices[7]).toMatchObject({ deviceId: 'truck-c8', files: 0, gaps: [WHOLE_DAY] });
  }, 60_000);

  test('the terminal table: gaps, delays and offsets as durations, filled and still missing, each clock fault', async () => {
    const { stdout } = await cli(env, ...RANGE, '--quiet', ...withReference());
    expect(stdout).toMatch(
      /truck-c1 +19 +57 +79\.2% 19\/24 +2 s, 4 d 23 h +11h +1h +2026-11-20T10Z \+3h, 2026-11-20T00Z \+2h/,
    );
    expect(stdout).toMatch(/truck-c4 +0 +0 +0\.0% 0\/24 +- +0h +24h +2026-11-20T00Z \+24h/);
    expect(stdout).toMatch(/truck-c5 +24 +72 +100\.0% 24\/24 +1 d 18 h, 2 d 5 h +24h +0h +none/);
    expect(stdout).toContain('Clock warnings (tolerance 5 min 0 s):');
    expect(stdout).toContain('  truck-c3: 24 file(s) ahead, up to 3 h 0 min');
    expect(stdout).toContain('  truck-c6: behind by 40 min 0 s or more: all 24 file(s), even the freshest');
    expect(stdout).toContain(
      '  truck-c7: 1 file(s) with a reset clock (times before 2000-01-01 or over a day ahead), received 2026-11-20T10Z +1h',
    );
    const [clocks, stillMissing] = stdout.split('Still missing');
    expect(clocks).not.toMatch(/truck-c[12458]:/);
    expect(stillMissing).toContain('  truck-c8: 2026-11-20T02Z +22h');
    expect(stillMissing).not.toMatch(/truck-c[56]:/);
  }, 60_000);

  test('--device narrows the report; a tolerance above the offset clears the clock warning; --clock-floor moves the floor', async () => {
    const narrow = lastJson(
      (await cli(env, ...RANGE, '--json', '--device', 'truck-c3', '--clock-tolerance', '4h')).stdout,
    );
    expect(narrow.devices.map((d) => d.deviceId)).toEqual(['truck-c3']);
    expect(narrow.devices[0]!.clock).toMatchObject({ aheadFiles: 0 });
    // A floor below 1970 takes the reset file at its word: its hour is a gap again.
    const floor = lastJson(
      (await cli(env, ...RANGE, '--json', '--device', 'truck-c7', '--clock-floor', '1969-01-01')).stdout,
    );
    expect(floor.devices[0]).toMatchObject({
      files: 23,
      gaps: [span('20T10', '20T11', 1)],
      resets: [],
      clock: { resetFiles: 0, behindFiles: 0 },
    });
  }, 60_000);

  test('bad usage exits 64 with a clear message', async () => {
    const failure = await cli(env, '--from', 'yesterday', '--to', '2026-11-21').catch((err: unknown) => err);
    expect(failure).toMatchObject({
      code: 64,
      stderr: expect.stringMatching(
        /option '--from <iso>' argument 'yesterday' is invalid\. Expected an ISO date or date-time, UTC unless it has an offset/,
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

  test('a reference with bad rows is refused with their line numbers, before anything is read', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'coverage-bad-')), 'bad.csv');
    writeFileSync(
      bad,
      'device,timestamp\ntruck-c1,2026-11-20T06:00Z\ntruck-c1,20/11/2026\n\ntruck c1,2026-11-20T06:00Z\n',
    );
    // No storage is reachable under this account name: the refusal comes first.
    const failure = await cli(
      { ...env, DATA_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=false' },
      ...RANGE,
      '--reference',
      bad,
    ).catch((err: unknown) => err);
    expect(failure).toMatchObject({
      code: 64,
      stderr: `error: --reference ${bad}: 2 row(s) cannot be read; nothing was compared.\n  line 3: cannot read time "20/11/2026": ISO 8601 expected, e.g. 2026-11-20T06:15:00Z (UTC unless it has an offset)\n  line 5: "truck c1" is not a device id (translate the historian's names with --reference-map)\n`,
    });
  }, 60_000);

  test('after the sweep settles every file, the ledger gives the same report', async () => {
    const swept = lastJson<{ confirmed: number }>((await ops(env, 'sweep', '--json')).stdout);
    expect(swept.confirmed).toBe(PLAN.length);
    expect(lastJson((await cli(env, ...RANGE, '--json', '--quiet')).stdout)).toEqual(EXPECTED);
    const report = lastJson((await cli(env, ...RANGE, '--json', '--quiet', ...withReference())).stdout);
    expect(
      Object.fromEntries(report.devices.map((d) => [d.deviceId, (d as { reference?: object }).reference])),
    ).toEqual(EXPECTED_REFERENCE);
  }, 120_000);

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
      expect(before.devices.map((d) => d.readings)).toEqual([0, 0, 0, 0, 0, 0, 0]);

      // The range's own day: 109 files; the backfill, the buffer and truck-c6's last file arrived later.
      const { stdout, stderr } = await cli(old, ...RANGE, '--json', '--rebuild');
      expect(stderr).toContain(
        'rebuild: 109 of 109 files received in the range adopted into the ledger now; 0 failed.',
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
        'rebuild: 27 of 136 files received in the range adopted into the ledger now; 0 failed.',
      );
      const truth = await cli(old, ...RANGE, '--json', '--quiet');
      expect(JSON.parse(truth.stdout.trim().split('\n').at(-1)!)).toEqual(EXPECTED);
      // Idempotent: a second rebuild finds nothing to do.
      const again = await cli(old, ...RANGE, '--json', '--rebuild');
      expect(again.stderr).toContain(
        'rebuild: 0 of 109 files received in the range adopted into the ledger now; 0 failed.',
      );
    }, 180_000);
  });

  describeWithChromium('the HTML report in a real browser', () => {
    test('full width, every state in the legend and in the heatmap, each device reachable by keyboard, nothing fetched', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const problems: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('request', (r) => !r.url().startsWith('file:') && problems.push(`fetched ${r.url()}`));
        await page.goto(`file://${htmlFile}`);
        // The heatmap uses the page's width (less the body's margins).
        const width = await page.locator('.hm').evaluate((e) => e.getBoundingClientRect().width);
        expect(width).toBeGreaterThan(1400 - 2 * 24 - 20);
        const rows = page.locator('.hm-row:not(.axis) .lbl');
        expect(await rows.allTextContents()).toEqual([...REGISTERED, 'truck-c8']);
        // Every state in the legend, each looking different (a pattern or a shade of its own).
        const legend = await page.locator('.legend-states li').allTextContents();
        expect(legend).toEqual([
          'both have readings',
          'filled by JSON (a historian gap)',
          'historian only',
          'still missing (neither)',
          'clock reset (files arrived, readings stamped elsewhere)',
        ]);
        const looks = await page
          .locator('.legend .sw')
          .evaluateAll((els) =>
            els.map((e) => `${getComputedStyle(e).backgroundColor} ${getComputedStyle(e).backgroundImage}`),
          );
        expect(new Set(looks).size).toBe(looks.length);
        expect(await page.locator('.legend-counts li').first().textContent()).toBe('1');
        expect(await page.locator('#legend').textContent()).toContain('the busiest hour has 3');
        // The cells: truck-c1's filled hours, its historian-only and still-missing runs, truck-c7's reset.
        const titles = await page
          .locator('.cells i')
          .evaluateAll((els) => els.map((e) => `${e.className} | ${e.getAttribute('title')}`));
        expect(titles).toContain(
          's4 filled | truck-c1 · 2026-11-20 13:00Z · 3 readings · filled by JSON (historian: none)',
        );
        expect(titles).toContain('s4 | truck-c1 · 2026-11-20 02:00Z · 3 readings · both (historian: 2)');
        expect(titles).toContain(
          'ref | truck-c1 · 2026-11-20 10:00Z – 2026-11-20 12:00Z (2 h 0 min) · historian only: the historian has readings, the JSON path none',
        );
        expect(titles).toContain(
          'gap | truck-c1 · 2026-11-20 12:00Z – 2026-11-20 13:00Z (1 h 0 min) · still missing: neither the historian nor the JSON path has a reading',
        );
        expect(titles).toContain(
          'reset | truck-c7 · 2026-11-20 10:00Z – 2026-11-20 11:00Z (1 h 0 min) · clock reset: files arrived, their readings stamped with a reset clock',
        );
        // Without a mouse: tab to a device's summary, open it, read its gaps and clock verdict.
        const details = page.locator('details#device-truck-c6');
        await details.locator('summary').focus();
        await page.keyboard.press('Enter');
        expect(await details.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
        expect(await details.locator('dl').textContent()).toContain(
          'behind by 40 min 0 s or more: all 24 file(s), even the freshest',
        );
        const c1 = page.locator('details#device-truck-c1');
        await c1.locator('summary').focus();
        await page.keyboard.press('Enter');
        expect(await c1.locator('table').first().locator('tbody tr').allTextContents()).toEqual([
          '2026-11-20T10:00:00.000Z2026-11-20T13:00:00.000Z3',
          '2026-11-20T00:00:00.000Z2026-11-20T02:00:00.000Z2',
        ]);
        await page.screenshot({ path: join(artifacts, 'coverage-report.png'), fullPage: true });
        // The docs' picture is this one: UPDATE_DOCS_IMAGES=1 keeps it there.
        if (process.env.UPDATE_DOCS_IMAGES)
          copyFileSync(
            join(artifacts, 'coverage-report.png'),
            join(root, 'docs', 'images', 'coverage-report.png'),
          );
        expect(problems).toEqual([]);
        expect(readFileSync(htmlFile, 'utf8')).not.toMatch(/<script|https?:\/\/|url\(/);
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
});
