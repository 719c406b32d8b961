/**
 * Cold start of the validators: loading the standalone code generated at build time vs compiling
 * the schemas with Ajv at start-up, each in a fresh process (validatorChild.ts), interleaved.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { type SectionReport, say, table } from './report';
import { fmtMs, median, ratio } from './stats';

export async function validatorsSection(runs = 7): Promise<SectionReport> {
  const samples = { standalone: [] as number[], compile: [] as number[] };
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const child = join(__dirname, 'validatorChild.ts');
  for (let i = 0; i < runs; i++) {
    // Interleaved, so drift on a noisy machine hits both sides alike.
    for (const mode of ['standalone', 'compile'] as const) {
      samples[mode].push(Number(execFileSync(tsx, [child, mode], { cwd: REPO_ROOT }).toString().trim()));
    }
  }
  const standalone = median(samples.standalone);
  const compile = median(samples.compile);
  const rows = [
    ['standalone code generated at build time', fmtMs(standalone)],
    ['Ajv compile of the schemas at start-up', fmtMs(compile)],
    ['compile / standalone', `${ratio(compile, standalone).toFixed(1)}x`],
  ];
  say(`Validators ready in a fresh process (median of ${runs}, interleaved)`);
  for (const [label, value] of rows) say(`   ${label!.padEnd(42)} ${value}`);
  say();
  return {
    id: 'validators',
    markdown: table(['validators ready in a fresh process (median of ' + runs + ')', 'time'], rows),
  };
}
