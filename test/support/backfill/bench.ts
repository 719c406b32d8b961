/**
 * `npx tsx test/support/backfill/bench.ts [--files 3000] [--devices 3] [--scale 100000] [--rate-limited-files 300]`: how fast the
 * backfill sends, next to the endpoint's own throughput in the same run, and how it behaves on a big
 * folder. Everything real and local: an in-memory Azurite, the dev host `npm start` runs (same bundle,
 * same settings from local.settings.json unless said otherwise), the CLI as a child process.
 *
 *  1. Rate limit off: a plain concurrent client (fetch, keep-alive, 4 at once) posts N files, then the
 *     backfill CLI sends another N like files with its defaults (concurrency 4, gzip, journal); both
 *     twice, in turns; then the plain client with 16 at once, for the endpoint's capacity.
 *  2. npm start's own rate limit (600/min per device, burst 60): one device's files, then five
 *     devices' files, to show the CLI settling at the pace the endpoint sets (devices in turn).
 *  3. A folder of `--scale` small files: time to the first acknowledged file, throughput, and the CLI's
 *     peak memory; then SIGINT, which must leave exit code 2 and every file not acknowledged unsent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite } from '../../../scripts/lib/azurite';
import {
  type CliResult,
  type Endpoint,
  readJournal,
  spawnBackfill,
  startEndpoint,
  summaryOf,
  writeFolder,
  writeKeys,
} from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function payload(deviceId: string, sequence: number): string {
  const minute = String(sequence % 60).padStart(2, '0');
  return JSON.stringify({
    deviceId,
    sentAt: `2026-11-25T08:${minute}:02Z`,
    firmware: '2.4.1',
    sequence,
    readings: [
      {
        timestamp: `2026-11-25T08:${minute}:00Z`,
        oilTemperatureC: 86.4,
        densityKgM3: 871.2,
        viscosityCSt: 96.8,
      },
      {
        timestamp: `2026-11-25T08:${minute}:30Z`,
        oilTemperatureC: 87.1,
        densityKgM3: 871.0,
        viscosityCSt: 95.9,
      },
    ],
  });
}

/** `<folder>/<device>/<nnnnnn>.json` for each device, `perDevice` files each. */
function generate(folder: string, devices: string[], perDevice: number): void {
  for (const device of devices) {
    const files: Record<string, string> = {};
    for (let i = 0; i < perDevice; i++)
      files[`${device}/${String(i).padStart(6, '0')}.json`] = payload(device, i);
    writeFolder(folder, files);
  }
}

/** A plain client: the same kind of files, `concurrency` requests at once, no journal, no retries. */
async function plainClient(
  endpoint: Endpoint,
  folder: string,
  keys: Record<string, string>,
  concurrency: number,
): Promise<{ files: number; seconds: number; statuses: Record<number, number> }> {
  const jobs: Array<{ device: string; path: string }> = [];
  for (const device of (await readdir(folder)).sort())
    for (const name of (await readdir(join(folder, device))).sort())
      jobs.push({ device, path: join(folder, device, name) });
  const statuses: Record<number, number> = {};
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const res = await fetch(`${endpoint.url}/api/ingest/${job.device}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[job.device]}` },
          body: await readFile(job.path),
        });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return { files: jobs.length, seconds: (performance.now() - started) / 1000, statuses };
}

/** The process's peak resident memory so far (0 once it has exited). */
function peakRssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024);
  } catch {
    return 0;
  }
}

async function cliRun(args: string[]): Promise<{ result: CliResult; seconds: number; rate: string }> {
  const started = performance.now();
  const cli = spawnBackfill(args);
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, peakRssMiB(cli.child.pid!))), 200);
  const result = await cli.done;
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const rate = /settled in ([\d.]+ s): ([\d.]+) files\/s/.exec(result.stdout);
  return {
    result,
    seconds,
    rate: `${rate ? `${rate[2]} files/s over its own ${rate[1]}` : '?'}, CLI peak RSS ${rss} MiB`,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '3000' },
      devices: { type: 'string', default: '3' },
      scale: { type: 'string', default: '100000' },
      'rate-limited-files': { type: 'string', default: '300' },
    },
  });
  const files = Number(values.files);
  const deviceCount = Number(values.devices);
  const perDevice = Math.ceil(files / deviceCount);
  const work = mkdtempSync(join(tmpdir(), 'backfill-bench-'));
  const azurite = await startAzurite({ inMemory: true });
  const report: string[] = [];
  const say = (line: string) => {
    console.log(line);
    report.push(line);
  };
  try {
    // 1. Rate limit off; otherwise npm start's settings (device cache 60 s, keys on).
    let endpoint = await startEndpoint(azurite.connectionString, {
      RATE_LIMIT_PER_MINUTE: '0',
      DEVICE_CACHE_TTL_SECONDS: '60',
    });
    const ids = (prefix: string) => Array.from({ length: deviceCount }, (_, i) => `truck-${prefix}${i + 1}`);
    // Plain client and CLI take turns, twice, so a neighbour's load on the machine hits both alike.
    for (const [prefix, concurrency] of [
      ['p', 4],
      ['c', 0],
      ['r', 4],
      ['d', 0],
      ['q', 16],
    ] as const) {
      const devices = ids(prefix);
      const folder = join(work, `set-${prefix}`);
      generate(folder, devices, perDevice);
      const keys = await endpoint.addDevices(devices);
      if (concurrency > 0) {
        const plain = await plainClient(endpoint, folder, keys, concurrency);
        say(
          `plain client, ${concurrency} at once: ${plain.files} files in ${plain.seconds.toFixed(1)} s = ` +
            `${(plain.files / plain.seconds).toFixed(1)} files/s (statuses ${JSON.stringify(plain.statuses)})`,
        );
      } else {
        const run = await cliRun([
          folder,
          '--url',
          endpoint.url,
          '--keys',
          writeKeys(work, keys, 'c.json'),
          '--json',
        ]);
        say(
          `backfill CLI, defaults: ${JSON.stringify(summaryOf(run.result))} exit ${run.result.code}; ` +
            `${((perDevice * deviceCount) / run.seconds).toFixed(1)} files/s for the whole command ` +
            `(${run.seconds.toFixed(1)} s incl. start-up), ${run.rate}`,
        );
      }
    }

    // 3. The big folder, same endpoint.
    const scale = Number(values.scale);
    if (scale > 0) {
      const devices = Array.from({ length: 100 }, (_, i) => `truck-s${String(i).padStart(3, '0')}`);
      const folder = join(work, 'scale');
      const generating = performance.now();
      generate(folder, devices, Math.ceil(scale / devices.length));
      say(`generated ${scale} files in ${((performance.now() - generating) / 1000).toFixed(1)} s`);
      const keys = writeKeys(work, await endpoint.addDevices(devices), 'scale.json');
      const journal = join(folder, '.backfill-journal.jsonl');
      const started = performance.now();
      const cli = spawnBackfill([folder, '--url', endpoint.url, '--keys', keys, '--json']);
      while (readJournal(journal).length === 0) await sleep(20);
      const firstAck = (performance.now() - started) / 1000;
      let rss = 0;
      while (cli.child.exitCode === null && performance.now() - started < 20_000) {
        rss = Math.max(rss, peakRssMiB(cli.child.pid!));
        await sleep(500);
      }
      const acked = readJournal(journal).length;
      const stoppedAt = performance.now();
      if (cli.child.exitCode === null) cli.child.kill('SIGINT');
      const result = await cli.done;
      say(
        `${scale} files: first file acknowledged ${firstAck.toFixed(1)} s after the command started; ` +
          `${acked} journaled after ${((stoppedAt - started) / 1000).toFixed(1)} s; CLI peak RSS ${rss} MiB; ` +
          `${result.signal ?? 'exit ' + String(result.code)} ${((performance.now() - stoppedAt) / 1000).toFixed(1)} s after SIGINT, ` +
          `${JSON.stringify(summaryOf(result))}`,
      );
    }
    await endpoint.stop();

    // 2. npm start's rate limit, from local.settings.json: 600/min per device, burst 60.
    endpoint = await startEndpoint(azurite.connectionString, { DEVICE_CACHE_TTL_SECONDS: '60' });
    const limited = Number(values['rate-limited-files']);
    for (const devices of [['truck-l1'], ['truck-m1', 'truck-m2', 'truck-m3', 'truck-m4', 'truck-m5']]) {
      const folder = join(work, `limited-${devices.length}`);
      generate(folder, devices, limited);
      const keys = writeKeys(work, await endpoint.addDevices(devices), `limited-${devices.length}.json`);
      const before = { ...endpoint.host.outcomes };
      const run = await cliRun([folder, '--url', endpoint.url, '--keys', keys, '--json']);
      const answered = Object.fromEntries(
        Object.entries(endpoint.host.outcomes).map(([k, v]) => [k, v - (before[k] ?? 0)]),
      );
      say(
        `rate-limited (600/min, burst 60), ${devices.length} device(s) x ${limited} files: ` +
          `${JSON.stringify(summaryOf(run.result))} exit ${run.result.code}; ${run.rate}; ` +
          `host answered ${JSON.stringify(answered)}; ${/^Retried: .*$/m.exec(run.result.stdout)?.[0] ?? 'no retries'}`,
      );
    }
    await endpoint.stop();
  } finally {
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\n${report.join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
