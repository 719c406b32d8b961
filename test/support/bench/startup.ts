/**
 * Cold start to the first 200: a fresh process serving the app, polled with a real upload from the
 * moment it is spawned until one is answered 200 (stored). Bundle (dist/main.js) vs the TypeScript
 * entry through tsx, interleaved, both through appHost.ts (so both pay the same tsx loader and dev
 * host; the difference is the app's own load and first request).
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, stopChild } from '../../../scripts/lib/azurite';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { BodyTemplate, type BenchRequest, uploadOf } from './payloads';
import { type SectionReport, say, table } from './report';
import { freshStorage } from './servers';
import { fmtMs, median, ratio } from './stats';

const ENTRIES = {
  bundle: { label: 'bundle (dist/main.js, what Azure loads)', main: join(REPO_ROOT, 'dist', 'main.js') },
  typescript: {
    label: 'unbundled (functions/main.ts through tsx)',
    main: join(REPO_ROOT, 'functions', 'main.ts'),
  },
} as const;
type Entry = keyof typeof ENTRIES;

/** One attempt: the status, or undefined when nothing listens yet. */
function post(port: number, upload: BenchRequest): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: upload.path, headers: upload.headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve(undefined));
    req.end(upload.body);
  });
}

export async function startupSection(runs: number): Promise<SectionReport> {
  const storage = await freshStorage();
  const bodies = new BodyTemplate(1024);
  let seq = 0;
  const times: Record<Entry, { firstOk: number[]; load: number[] }> = {
    bundle: { firstOk: [], load: [] },
    typescript: { firstOk: [], load: [] },
  };
  try {
    for (let i = 0; i < runs; i++) {
      for (const entry of Object.keys(ENTRIES) as Entry[]) {
        const port = await freePort();
        const started = performance.now();
        const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'appHost.ts')], {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            BENCH_APP_MAIN: ENTRIES[entry].main,
            PORT: String(port),
            DATA_STORAGE_CONNECTION_STRING: storage.azurite.connectionString,
            INGEST_AUTH: 'on',
            RATE_LIMIT_PER_MINUTE: '0',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        try {
          for (;;) {
            if (child.exitCode !== null) throw new Error(`app host exited:\n${output}`);
            if (performance.now() - started > 60_000) throw new Error(`no 200 within 60 s:\n${output}`);
            const status = await post(port, uploadOf(seq++, bodies, storage.keys));
            if (status === 200) break;
            if (status !== undefined) throw new Error(`first upload answered ${status}:\n${output}`);
            await sleep(5);
          }
          times[entry].firstOk.push(performance.now() - started);
          times[entry].load.push(Number(/entry loaded in ([\d.]+) ms/.exec(output)?.[1] ?? NaN));
        } finally {
          await stopChild(child);
        }
      }
    }
  } finally {
    await storage.azurite.stop();
  }
  const row = (entry: Entry) => [
    ENTRIES[entry].label,
    fmtMs(median(times[entry].firstOk)),
    fmtMs(median(times[entry].load)),
  ];
  const rows = [
    row('bundle'),
    row('typescript'),
    [
      'unbundled / bundle',
      `${ratio(median(times.typescript.firstOk), median(times.bundle.firstOk)).toFixed(2)}x`,
      `${ratio(median(times.typescript.load), median(times.bundle.load)).toFixed(2)}x`,
    ],
  ];
  const markdown = table(
    [`entry (median of ${runs}, interleaved)`, 'spawn -> first 200', 'loading the entry'],
    rows,
  );
  say('Cold start to the first 200');
  say(markdown);
  say();
  return { id: 'startup', markdown };
}
