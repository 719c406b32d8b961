/**
 * `npm run bench`: every number is measured side by side in this one run, and what matters is the
 * ratios (these machines are small and noisy). The sections (test/support/bench/):
 *   validators  cold start: standalone validators generated at build time vs an Ajv compile
 *   hotpath     per-request CPU steps (parse, scan, validate, reading summary, hashes) vs a whole ingest
 *   roundtrips  storage round trips per outcome, counted at a proxy
 *   load        HTTP load (autocannon) against the dev host and the storage floor, fresh Azurite each
 *   drain       one gateway's 500 buffered files of mixed sizes, one at a time, against the floor
 *   memory      peak RSS of the dev host with the largest body and with 64 concurrent 1 MB bodies
 *   startup     cold start to the first 200: bundle vs the TypeScript entry
 *   profile     the dev host's CPU by category under load (--cpu-prof)
 *
 *   --only <section>[,<section>]  run only these
 *   --variants <term>[,<term>]    of the load section, only the variants whose id contains a term
 *   --baseline <dir>  also measure the app built in <dir> (a checkout of an earlier commit after
 *             `npm run build`, its node_modules linked), in the same rounds: a `÷ before` column
 *             (ids are `<server>/<size>/c<connections>`: `/1m/`, `/1k/c1/`, `duplicates`)
 *   --quick   the load gate of `npm test` (under a minute): fails only if ingest (auth on) new-file
 *             throughput is below 0.5x the floor at 16 connections; never on absolute times
 *   --write   put the results into docs/PERFORMANCE.md (between each section's marker comments)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hotPathSection } from './bench/hotPath';
import { type DrainFacts, drainSection } from './bench/drain';
import { type LoadFacts, loadSection } from './bench/loadSection';
import { type MemoryFacts, memorySection } from './bench/memorySection';
import { profileSection } from './bench/profileSection';
import {
  SECTIONS,
  type SectionId,
  type SectionReport,
  codeState,
  environment,
  say,
  writeDocs,
} from './bench/report';
import { roundTripsSection } from './bench/roundTrips';
import { fmtRatio } from './bench/stats';
import { startupSection } from './bench/startup';
import { targetsBlock } from './bench/targets';
import { validatorsSection } from './bench/validators';

/** npm test's gate: ingest (auth on) at 16 connections must reach half the floor's throughput. */
const QUICK_GATE = 0.5;
const USAGE =
  `usage: tsx test/support/bench.ts [--quick] [--write] [--only ${SECTIONS.join('|')}[,...]]` +
  ' [--variants <term>[,...]] [--baseline <dir>]';

interface Options {
  quick: boolean;
  write: boolean;
  only: SectionId[];
  variants: string[];
  baseline?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, write: false, only: [...SECTIONS], variants: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--write') options.write = true;
    else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length) usage(`unknown section: ${unknown.join(', ') || '(none)'}`);
      options.only = names as SectionId[];
    } else if (arg === '--variants') {
      options.variants = (argv[++i] ?? '').split(',').filter(Boolean);
      if (options.variants.length === 0) usage('--variants needs at least one term');
    } else if (arg === '--baseline') {
      const dir = resolve(argv[++i] ?? '');
      if (!existsSync(join(dir, 'dist', 'main.js')))
        usage(`--baseline ${dir}: no dist/main.js there (build it)`);
      options.baseline = dir;
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument: ${arg}`);
  }
  if (options.quick && options.write) usage('--write records a full run; it cannot be combined with --quick');
  if (options.quick) options.only = ['load'];
  // A partial table would replace the whole recorded one.
  if (options.write && options.variants.length)
    usage('--write records a full run; it cannot be combined with --variants');
  return options;
}

function usage(error?: string): never {
  if (error) console.error(error);
  console.error(USAGE);
  process.exit(error ? 64 : 0);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const code = codeState();
  say(`Benchmark${options.quick ? ' (quick)' : ''}: ${environment(code)}`);
  say('2 cores, noisy: read the ratios, not the absolute numbers.\n');
  const run = (id: SectionId) => options.only.includes(id);
  const reports: SectionReport[] = [];
  let load: LoadFacts | undefined;
  let memory: MemoryFacts | undefined;
  let drain: DrainFacts | undefined;
  try {
    if (run('validators')) reports.push(await validatorsSection(7));
    if (run('hotpath')) reports.push(await hotPathSection());
    if (run('roundtrips')) reports.push(await roundTripsSection());
    if (run('load')) {
      const report = await loadSection({
        quick: options.quick,
        rounds: 3,
        warmupSeconds: 1,
        seconds: options.quick ? 3 : 6,
        duplicateFiles: 1200,
        calmWaitSeconds: options.quick ? 5 : 60,
        only: options.variants,
        baseline: options.baseline,
        workDir,
      });
      load = report.facts;
      reports.push(report);
    }
    if (run('drain')) {
      const report = await drainSection({ rounds: 3, workDir, baseline: options.baseline });
      drain = report.facts;
      reports.push(report);
    }
    if (run('memory')) {
      const report = await memorySection(3, workDir);
      memory = report.facts;
      reports.push(report);
    }
    if (run('startup')) reports.push(await startupSection(5));
    if (run('profile')) reports.push(await profileSection(6, workDir));
    if (!options.quick && (load || memory || drain)) reports.push(targetsBlock(load, memory, drain));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  // Others work in this tree too: a result is only a record of the code if that code held still.
  const changedDuringRun = codeState().fingerprint !== code.fingerprint;
  if (changedDuringRun)
    say(
      '!!! shared/, functions/ or scripts/ CHANGED DURING THIS RUN: its figures mix two versions of the code.',
    );
  if (options.write) {
    writeDocs(reports, environment(code, changedDuringRun ? ' (changed during the run)' : ''));
    say(`Wrote ${reports.map((r) => r.id).join(', ')} into docs/PERFORMANCE.md.`);
  }
  say(`Bench took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  if (options.quick && load) {
    const gate = load.rpsRatio('ingest-auth-on/1k/c16');
    const ok = gate >= QUICK_GATE;
    say(
      `Quick gate: ingest (auth on) new files at 16 connections = ${fmtRatio(gate)} the floor ` +
        `(fails below ${QUICK_GATE}x): ${ok ? 'PASS' : 'FAIL'}`,
    );
    if (!ok) process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
