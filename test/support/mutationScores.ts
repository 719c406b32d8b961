/**
 * `npm run mutation:scores`: the per-file mutation scores of the last `npm run mutation`, from
 * Stryker's JSON report, as the Markdown table docs/DEVELOPMENT.md keeps. Exits 1 when a file is
 * below the bar (80%), naming it, so the per-file rule can be checked as well as read.
 *
 *   --min <percent>     the bar (default 80)
 *   --report <path>     the JSON report (default reports/mutation/mutation.json)
 *
 * Score as Stryker computes it: (killed + timed out) / (killed + timed out + survived + no coverage);
 * mutants that do not compile (the TypeScript checker) or that Stryker ignores count for nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../scripts/lib/repoRoot';

interface Report {
  files: Record<string, { mutants: Array<{ status: string }> }>;
}

export interface FileScore {
  file: string;
  killed: number;
  timedOut: number;
  survived: number;
  noCoverage: number;
  /** Percent, or undefined for a file without a valid mutant. */
  score: number | undefined;
}

export function fileScores(report: Report): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (status: string) => mutants.filter((m) => m.status === status).length;
      const [killed, timedOut, survived, noCoverage] = ['Killed', 'Timeout', 'Survived', 'NoCoverage'].map(
        count,
      );
      const valid = killed! + timedOut! + survived! + noCoverage!;
      const score = valid === 0 ? undefined : (100 * (killed! + timedOut!)) / valid;
      return {
        file,
        killed: killed!,
        timedOut: timedOut!,
        survived: survived!,
        noCoverage: noCoverage!,
        score,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

export function scoreTable(scores: FileScore[]): string {
  const percent = (score: number | undefined) => (score === undefined ? 'n/a' : `${score.toFixed(1)}%`);
  const row = (name: string, s: Omit<FileScore, 'file'>) =>
    `| ${name} | ${s.killed + s.timedOut} | ${s.survived} | ${s.noCoverage} | ${percent(s.score)} |`;
  const sum = (column: 'killed' | 'timedOut' | 'survived' | 'noCoverage') =>
    scores.reduce((total, s) => total + s[column], 0);
  const all = {
    killed: sum('killed'),
    timedOut: sum('timedOut'),
    survived: sum('survived'),
    noCoverage: sum('noCoverage'),
  };
  const detected = all.killed + all.timedOut;
  return [
    '| file | killed | survived | no coverage | score |',
    '| ---- | -----: | -------: | ----------: | ----: |',
    ...scores.map((s) => row(`\`${s.file}\``, s)),
    row('**all**', { ...all, score: (100 * detected) / (detected + all.survived + all.noCoverage) }),
  ].join('\n');
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      min: { type: 'string', default: '80' },
      report: { type: 'string', default: join(REPO_ROOT, 'reports', 'mutation', 'mutation.json') },
    },
  });
  const min = Number(values.min);
  const scores = fileScores(JSON.parse(readFileSync(values.report, 'utf8')) as Report);
  console.log(scoreTable(scores));
  const below = scores.filter((s) => s.score !== undefined && s.score < min);
  if (below.length > 0) {
    console.error(`\nBelow ${min}%: ${below.map((s) => s.file).join(', ')}`);
    process.exit(1);
  }
}
