import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azuriteConnectionString, describeWithAzurite } from '../helpers/azurite';
import { oilPayload } from '../helpers/testApp';
import {
  blobsPerDevice,
  type Endpoint,
  readJournal,
  runBackfillCli,
  spawnBackfill,
  startEndpoint,
  summaryOf,
  writeFolder,
  writeKeys,
} from '../support/backfill/harness';
import { ChaosFault, ChaosProxy } from '../support/faults/faultProxy';

const DEVICES = ['truck-k1', 'truck-k2'];
const PER_DEVICE = 600;

/**
 * Calls `then` the moment the endpoint has answered the `n`th ingest request (it has stored the
 * file), and holds that answer back from the CLI: an event to act on instead of a guessed wait.
 */
function atAnswer(proxy: ChaosProxy, n: number, then: () => void): void {
  let seen = 0;
  proxy.add({
    match: (r) => r.path.startsWith('/api/ingest/') && ++seen === n,
    fault: ChaosFault.Delay,
    delayMs: 120_000,
    times: 1,
    onFault: (phase) => {
      if (phase === 'answered') then();
    },
  });
}

/**
 * kill -9 in the middle of a backfill, then the same command again: every file ends up stored exactly
 * once, and the rerun accounts for the first run's files as journaled (skipped) or duplicate. The
 * CLI talks to the endpoint through a proxy that tells the test when the endpoint has answered a
 * given request, so the signal lands at a known point: no sleeps, nothing left in flight.
 */
describeWithAzurite('backfill interrupted by SIGKILL, then rerun', () => {
  let endpoint: Endpoint;
  let proxy: ChaosProxy;
  let url: string;
  const work = mkdtempSync(join(tmpdir(), 'backfill-kill-'));

  beforeAll(async () => {
    endpoint = await startEndpoint(azuriteConnectionString(), { RATE_LIMIT_PER_MINUTE: '0' });
    proxy = new ChaosProxy({ host: '127.0.0.1', port: Number(new URL(endpoint.url).port) });
    url = `http://127.0.0.1:${await proxy.listen()}`;
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await endpoint?.stop();
  });

  test('no file lost, none stored twice; the rerun skips what the journal holds', async () => {
    const folder = join(work, 'buffers');
    const files: Record<string, string> = {};
    for (const device of DEVICES)
      for (let i = 0; i < PER_DEVICE; i++)
        files[`${device}/2026/${String(i).padStart(5, '0')}.json`] = oilPayload(device, { sequence: i });
    writeFolder(folder, files);
    const total = DEVICES.length * PER_DEVICE;
    const keys = writeKeys(work, await endpoint.addDevices(DEVICES));
    const journalPath = join(folder, '.backfill-journal.jsonl');
    const args = [folder, '--url', url, '--keys', keys, '--json'];

    // One request at a time; the kill lands at the worst moment for the journal: the endpoint has
    // stored the 41st file, the CLI has not heard so (its 40 earlier answers are journaled).
    proxy.clear();
    const first = spawnBackfill([...args, '--concurrency', '1']);
    atAnswer(proxy, 41, () => first.child.kill('SIGKILL'));
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const journaled = readJournal(journalPath).length;
    const storedByFirst = Object.values(await blobsPerDevice(endpoint.inspector)).reduce((a, b) => a + b, 0);
    expect({ journaled, storedByFirst }).toEqual({ journaled: 40, storedByFirst: 41 });
    // Power loss mid-append: a torn last line.
    appendFileSync(journalPath, '{"time":"2026-11-25T08:00:00.000Z","device":"truck-k1","path":"truck-k1/20');

    const second = await runBackfillCli([...args, '--quiet']);
    expect({ code: second.code, summary: summaryOf(second) }).toEqual({
      code: 0,
      summary: {
        files: total,
        // Files the first run stored but had not journaled come back as duplicates.
        stored: total - storedByFirst,
        duplicate: storedByFirst - journaled,
        rejected: 0,
        unsent: 0,
        skipped: journaled,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    expect(second.stderr).toMatch(/journal: ignored an incomplete last line/);
    // Not a terminal: a progress line per 1,000 files instead of a bar.
    expect(second.stderr).toMatch(
      /^backfill: 1000 files, [\d.]+ MiB, [\d.]+ files\/s \(stored \d+, duplicate \d+, skipped \d+,/m,
    );
    expect(second.stderr).not.toMatch(/\u2588/);

    // Exactly once: one blob per file, per device, each holding one of its files' bytes.
    expect(await blobsPerDevice(endpoint.inspector)).toEqual(
      Object.fromEntries(DEVICES.map((device) => [device, PER_DEVICE])),
    );
    const journal = readJournal(journalPath);
    expect(journal).toHaveLength(total);
    expect(new Set(journal.map((l) => l.path)).size).toBe(total);
    expect(new Set(journal.map((l) => l.blob)).size).toBe(total);
    expect(readFileSync(journalPath, 'utf8').endsWith('}\n')).toBe(true);
  }, 180_000);

  test('Ctrl-C (SIGINT) stops sending, prints the summary and exits 2; nothing it had acknowledged is lost', async () => {
    const folder = join(work, 'sigint');
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      files[`truck-k3/${String(i).padStart(5, '0')}.json`] = oilPayload('truck-k3', { sequence: i });
    writeFolder(folder, files);
    const keys = writeKeys(work, await endpoint.addDevices(['truck-k3']), 'k3.json');
    proxy.clear();
    const run = spawnBackfill([folder, '--url', url, '--keys', keys, '--json', '--concurrency', '1']);
    const journalPath = join(folder, '.backfill-journal.jsonl');
    // Ctrl-C while the 21st answer is on its way: that request is abandoned, its file left unsent.
    atAnswer(proxy, 21, () => run.child.kill('SIGINT'));
    const result = await run.done;
    const summary = summaryOf(result);
    expect({ code: result.code, files: summary.files, rejected: summary.rejected }).toEqual({
      code: 2,
      files: 300,
      rejected: 0,
    });
    expect({ stored: summary.stored, unsent: summary.unsent }).toEqual({ stored: 20, unsent: 280 });
    expect(result.stderr).toContain('SIGINT: stopping');
    expect(result.stdout).toMatch(/^Interrupted\.\n\d+ file\(s\) left unsent: rerun the same command/m);
    expect(result.stdout).toMatch(/unsent: interrupted \d+/);
    // Everything counted as stored is journaled.
    expect(readJournal(journalPath)).toHaveLength(summary.stored!);
  }, 60_000);
});
