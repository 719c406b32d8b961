import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azuriteConnectionString, describeWithAzurite } from '../helpers/azurite';
import { oilPayload } from '../helpers/testApp';
import {
  blobsPerDevice,
  type Endpoint,
  readJournal,
  runBackfillCli,
  sha256,
  startEndpoint,
  summaryOf,
  writeFolder,
  writeKeys,
} from '../support/backfill/harness';
import { ChaosFault, ChaosProxy } from '../support/faults/faultProxy';
import { Rng } from '../support/simulator/random';

const DEVICES = ['truck-f1', 'truck-f2', 'truck-f3'];
const PER_DEVICE = 40;
const ingestOf = (device: string) => (r: { path: string }) => r.path === `/api/ingest/${device}`;

/**
 * The backfill through the seeded chaos proxy (connections reset before the request arrives, answers
 * dropped after the endpoint stored the file, 503s with and without Retry-After) and against the
 * endpoint's own per-device rate limit (429 + Retry-After): every file stored exactly once, exit 0.
 */
describeWithAzurite('backfill through faults', () => {
  let endpoint: Endpoint;
  let proxy: ChaosProxy;
  const work = mkdtempSync(join(tmpdir(), 'backfill-faults-'));

  beforeAll(async () => {
    // 3 files at once per device, then 5/s: a backfill at full speed meets 429s, even on a busy machine.
    endpoint = await startEndpoint(azuriteConnectionString(), {
      RATE_LIMIT_PER_MINUTE: '300',
      RATE_LIMIT_BURST: '3',
    });
    proxy = new ChaosProxy(
      { host: '127.0.0.1', port: Number(new URL(endpoint.url).port) },
      new Rng(20261125),
    );
    await proxy.listen();
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await endpoint?.stop();
  });

  test('resets, dropped answers, 503s and 429s are retried until every file is stored once', async () => {
    proxy.clear();
    // Records which device each request is for; never applies.
    const devicesInOrder: string[] = [];
    const recordDevice = (r: { path: string }) => {
      devicesInOrder.push(r.path.split('/').pop()!);
      return false;
    };
    proxy.add({ match: recordDevice, fault: ChaosFault.Reset });
    proxy.add({ match: () => true, fault: ChaosFault.Reset, probability: 0.1 });
    proxy.add({ match: () => true, fault: ChaosFault.DropResponse, probability: 0.1 });
    proxy.add({ match: () => true, fault: ChaosFault.Status503, probability: 0.08 });
    proxy.add({
      label: 'status503RetryAfter',
      match: () => true,
      fault: ChaosFault.Status503,
      probability: 0.05,
      headers: { 'retry-after': '1' },
    });
    const folder = join(work, 'buffers');
    const files: Record<string, string> = {};
    for (const device of DEVICES)
      for (let i = 0; i < PER_DEVICE; i++)
        files[`${device}/${String(i).padStart(4, '0')}.json`] = oilPayload(device, { sequence: i });
    writeFolder(folder, files);
    const keys = writeKeys(work, await endpoint.addDevices(DEVICES));
    const url = `http://127.0.0.1:${proxy.listeningPort}`;

    const result = await runBackfillCli([
      ...[folder, '--url', url, '--keys', keys, '--json'],
      ...['--retry-base-ms', '50', '--retry-cap-ms', '400', '--max-attempts', '30'],
    ]);
    const total = DEVICES.length * PER_DEVICE;
    const summary = summaryOf(result);
    expect({ code: result.code, summary }).toEqual({
      code: 0,
      summary: {
        files: total,
        stored: expect.any(Number),
        duplicate: expect.any(Number),
        rejected: 0,
        unsent: 0,
        skipped: 0,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    // An answer dropped after the store makes the resend a duplicate; every file is acknowledged once.
    expect(summary.stored! + summary.duplicate!).toBe(total);
    expect(summary.duplicate).toBeGreaterThan(0);
    for (const fault of ['reset', 'dropResponse', 'status503', 'status503RetryAfter'])
      expect({ fault, applied: (proxy.counts[fault] ?? 0) > 0 }).toEqual({ fault, applied: true });
    expect(endpoint.host.outcomes.rate_limited ?? 0).toBeGreaterThan(0);
    // Devices take turns (the rate limit is per device): all three are in the first requests.
    expect(new Set(devicesInOrder.slice(0, 12))).toEqual(new Set(DEVICES));
    expect(result.stdout).toMatch(/^Retried: .*ECONNRESET \d+/m);
    expect(result.stdout).toMatch(/^Retried: .*429 rate_limited \d+/m);
    expect(result.stdout).toMatch(/^Retried: .*503 http_503 \d+/m);

    // Exactly once, checked in storage: per device one blob per file, holding exactly its bytes.
    expect(await blobsPerDevice(endpoint.inspector)).toEqual(
      Object.fromEntries(DEVICES.map((d) => [d, PER_DEVICE])),
    );
    const stored = new Set<string>();
    for (const name of await endpoint.inspector.blobNames())
      stored.add(sha256((await endpoint.inspector.blob(name)).bytes));
    expect(stored).toEqual(new Set(Object.values(files).map((content) => sha256(content))));
    expect(readJournal(join(folder, '.backfill-journal.jsonl'))).toHaveLength(total);
  }, 180_000);

  test('Retry-After is honoured; retries that run out leave the file unsent (exit 2), and a rerun sends it', async () => {
    const folder = writeFolder(join(work, 'retry-after'), { 'truck-f4/1.json': oilPayload('truck-f4') });
    const keys = writeKeys(work, await endpoint.addDevices(['truck-f4']), 'f4.json');
    const url = `http://127.0.0.1:${proxy.listeningPort}`;
    const args = [
      folder,
      '--url',
      url,
      '--keys',
      keys,
      '--json',
      '--retry-base-ms',
      '20',
      '--retry-cap-ms',
      '40',
    ];
    const seen: number[] = [];
    proxy.clear();
    // Records every request's time; never applies.
    const record = (r: { path: string }) => {
      if (ingestOf('truck-f4')(r)) seen.push(Date.now());
      return false;
    };
    proxy.add({ match: record, fault: ChaosFault.Reset });
    proxy.add({
      match: ingestOf('truck-f4'),
      fault: ChaosFault.Status503,
      times: 1,
      headers: { 'retry-after': '2' },
    });
    proxy.add({ match: ingestOf('truck-f4'), fault: ChaosFault.Status503, times: 1 });

    const honoured = await runBackfillCli(args);
    expect({ code: honoured.code, summary: summaryOf(honoured) }).toMatchObject({
      code: 0,
      summary: { stored: 1 },
    });
    expect(seen).toHaveLength(3);
    // After the 503 with Retry-After: 2 the next attempt waited at least ~2 s, not the 20-40 ms
    // backoff (a lower bound: a busy machine only makes the gap longer). That the plain 503 after it
    // waits only the backoff is asserted on the recorded waits in test/unit/backfillRetryWaits.test.ts.
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(1900);

    const again = writeFolder(join(work, 'exhausted'), {
      'truck-f4/2.json': oilPayload('truck-f4', { sequence: 2 }),
    });
    proxy.clear();
    proxy.add({ label: 'always503', match: ingestOf('truck-f4'), fault: ChaosFault.Status503 });
    const exhausted = await runBackfillCli([again, ...args.slice(1), '--max-attempts', '3']);
    expect({ code: exhausted.code, summary: summaryOf(exhausted) }).toMatchObject({
      code: 2,
      summary: { files: 1, stored: 0, unsent: 1 },
    });
    expect(proxy.counts.always503).toBe(3);
    expect(exhausted.stderr).toContain(
      'truck-f4/2.json: not sent: 3 attempts failed, the last with 503 http_503',
    );
    expect(exhausted.stdout).toMatch(/unsent: retries exhausted 1/);

    proxy.clear();
    const rerun = await runBackfillCli([again, ...args.slice(1)]);
    expect({ code: rerun.code, summary: summaryOf(rerun) }).toMatchObject({
      code: 0,
      summary: { stored: 1 },
    });
  }, 60_000);
});
