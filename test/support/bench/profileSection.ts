/**
 * Where the dev host's CPU goes under load: the host process runs with node's --cpu-prof under 16
 * connections of ~1 KB new files (auth on), then of ~1 MB ones, then the drain's 500 files one at a
 * time (drain.ts); the samples of each measured window
 * (warm-ups and start-up excluded) are split by category (cpuProfile.ts). Azurite is another
 * process: its CPU is read from /proc over the same windows and shown next to it.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { Category, type CpuProfile, SourceResolver, breakdown } from './cpuProfile';
import { runLoad } from './load';
import { DRAIN_FILES, DrainFiles, WARMUP_FILES, drainMix, send } from './drain';
import { BodyTemplate, uploadOf } from './payloads';
import { cpuMsOf } from './procfs';
import { type SectionReport, say, table } from './report';
import { freshStorage, startDevHost } from './servers';
import { MiB, fmtCount } from './stats';

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

interface Window {
  label: string;
  how: string;
  from: number;
  to: number;
  requests: number;
  hostMs: number;
  azuriteMs: number;
}

interface Load {
  label: string;
  /** How the window's load is described under the table. */
  how: string;
  /** Sends the load (a short warm-up, or the measured window) and returns how many were answered 200. */
  run(url: string, keys: Map<string, string>, warmup: boolean): Promise<number>;
}

function concurrent(label: string, bytes: number, seconds: number): Load {
  const bodies = new BodyTemplate(bytes);
  let seq = 0;
  return {
    label,
    how: 'at 16 connections',
    run: async (url, keys, warmup) => {
      const load = { url, connections: 16, next: () => uploadOf(seq++, bodies, keys) };
      return (await runLoad({ ...load, seconds: warmup ? 1 : seconds })).ok;
    },
  };
}

/** The drain's files, plain, one at a time (drain.ts). */
const drain: Load = {
  label: 'drain',
  how: `one at a time on one connection (${drainMix()})`,
  run: async (url, keys, warmup) => {
    const files = new DrainFiles('plain');
    const batch = warmup ? files.batch(1_000_000, WARMUP_FILES, keys) : files.batch(0, DRAIN_FILES, keys);
    return (await send(url, batch)).latencies.length;
  },
};

export async function profileSection(seconds: number, workDir: string): Promise<SectionReport> {
  const loads = [concurrent('~1 KB', 1024, seconds), concurrent('~1 MB', MiB, seconds), drain];
  const profileDir = mkdtempSync(join(workDir, 'cpuprofile-'));
  const storage = await freshStorage();
  const windows: Window[] = [];
  try {
    const host = await startDevHost(storage, {
      auth: true,
      workDir,
      nodeOptions: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=500`,
    });
    try {
      for (const load of loads) {
        await load.run(host.url, storage.keys, true);
        const azuriteBefore = cpuMsOf(storage.azurite.process.pid);
        const hostBefore = cpuMsOf(host.pid);
        const from = nowMicros();
        const requests = await load.run(host.url, storage.keys, false);
        windows.push({
          label: load.label,
          how: load.how,
          from,
          to: nowMicros(),
          requests,
          hostMs: cpuMsOf(host.pid) - hostBefore,
          azuriteMs: cpuMsOf(storage.azurite.process.pid) - azuriteBefore,
        });
      }
    } finally {
      // SIGTERM: the host exits through process.exit, which writes the profile.
      await host.stop();
    }
  } finally {
    await storage.azurite.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  // Kept for a closer look, function by function (the windows are on the profile's clock).
  if (process.env.BENCH_PROFILE_OUT)
    writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify({ profile, windows }));
  const bundle = join(REPO_ROOT, 'dist', 'main.js');
  const sources = new SourceResolver({ [bundle]: `${bundle}.map` });
  const parts = windows.map((w) => ({
    ...w,
    ...breakdown(profile, w.from, w.to, (f) => sources.resolve(f)),
  }));

  const first = parts[0]!;
  const categories = [...new Set(parts.flatMap((p) => [...p.micros.keys()]))].sort(
    (a, b) => (first.micros.get(b) ?? 0) - (first.micros.get(a) ?? 0),
  );
  const cells = (part: (typeof parts)[number], category: Category) => {
    const us = part.micros.get(category) ?? 0;
    const busy = [...part.micros].filter(([c]) => c !== Category.Idle).reduce((n, [, v]) => n + v, 0);
    const share = category === Category.Idle ? us / part.windowMicros : us / busy;
    return [`${(share * 100).toFixed(1)}%`, fmtCount(us / part.requests)];
  };
  const rows = categories.map((category) => [category, ...parts.flatMap((part) => cells(part, category))]);
  const header = [
    'dev host CPU by category (self time; idle: share of wall time)',
    ...parts.flatMap((p) => [`${p.label}: share of busy`, `${p.label}: µs/request`]),
  ];
  const notes = parts.map(
    (p) =>
      `${p.label}: ${fmtCount(p.requests)} new files in ${(p.windowMicros / 1e6).toFixed(1)} s ${p.how}; ` +
      `over the same window the host used ${fmtCount(p.hostMs / p.requests, 2)} ms of CPU per request and ` +
      `Azurite ${fmtCount(p.azuriteMs / p.requests, 2)} ms.`,
  );
  const markdown = [table(header, rows), '', ...notes.flatMap((n) => [n, ''])].join('\n');
  say('Profile of the dev host under load (--cpu-prof)');
  say(markdown);
  return { id: 'profile', markdown };
}
