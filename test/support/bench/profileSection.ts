/**
 * Where the dev host's CPU goes under load: the host process runs with node's --cpu-prof under 16
 * connections of ~1 KB new files (auth on), then of ~1 MB ones; the samples of each measured window
 * (warm-ups and start-up excluded) are split by category (cpuProfile.ts). Azurite is another
 * process: its CPU is read from /proc over the same windows and shown next to it.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { Category, type CpuProfile, SourceResolver, breakdown } from './cpuProfile';
import { runLoad } from './load';
import { BodyTemplate, uploadOf } from './payloads';
import { cpuMsOf } from './procfs';
import { type SectionReport, say, table } from './report';
import { freshStorage, startDevHost } from './servers';
import { MiB, fmtCount } from './stats';

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

interface Window {
  label: string;
  from: number;
  to: number;
  requests: number;
  hostMs: number;
  azuriteMs: number;
}

const LOADS = [
  { label: '~1 KB', bytes: 1024 },
  { label: '~1 MB', bytes: MiB },
] as const;

export async function profileSection(seconds: number, workDir: string): Promise<SectionReport> {
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
      let seq = 0;
      for (const { label, bytes } of LOADS) {
        const bodies = new BodyTemplate(bytes);
        const load = { url: host.url, connections: 16, next: () => uploadOf(seq++, bodies, storage.keys) };
        await runLoad({ ...load, seconds: 1 });
        const azuriteBefore = cpuMsOf(storage.azurite.process.pid);
        const hostBefore = cpuMsOf(host.pid);
        const from = nowMicros();
        const result = await runLoad({ ...load, seconds });
        windows.push({
          label,
          from,
          to: nowMicros(),
          requests: result.ok,
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
      `${p.label}: ${fmtCount(p.requests)} new files in ${(p.windowMicros / 1e6).toFixed(1)} s at 16 connections; ` +
      `over the same window the host used ${fmtCount(p.hostMs / p.requests, 2)} ms of CPU per request and ` +
      `Azurite ${fmtCount(p.azuriteMs / p.requests, 2)} ms.`,
  );
  const markdown = [table(header, rows), '', ...notes.flatMap((n) => [n, ''])].join('\n');
  say('Profile of the dev host under load (--cpu-prof)');
  say(markdown);
  return { id: 'profile', markdown };
}
