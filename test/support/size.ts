/**
 * `npm run size`: the largest product files and functions, as the lint's size rules count them
 * (eslint.config.mjs: max-lines 400 per file, max-lines-per-function 80 without blank and comment
 * lines). The lint enforces the limits; this prints the figures docs/DEVELOPMENT.md#size records.
 */
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../../scripts/lib/repoRoot';

const TOP = Number(process.argv[2] ?? 5);

async function main(): Promise<void> {
  const eslint = new ESLint({
    cwd: REPO_ROOT,
    // Limits of 1 make every file and function report its size.
    overrideConfig: {
      rules: {
        'max-lines': ['error', { max: 1 }],
        'max-lines-per-function': ['error', { max: 1, skipBlankLines: true, skipComments: true }],
      },
    },
  });
  const results = await eslint.lintFiles(['functions', 'shared', 'scripts']);
  const files: Array<[number, string]> = [];
  const functions: Array<[number, string]> = [];
  for (const result of results) {
    const path = result.filePath.slice(REPO_ROOT.length + 1);
    for (const m of result.messages) {
      const size = Number(/\((\d+)\)/.exec(m.message)?.[1]);
      if (m.ruleId === 'max-lines') files.push([size, path]);
      if (m.ruleId === 'max-lines-per-function')
        functions.push([size, `${path}:${m.line} ${m.message.replace(/ has too many lines.*/, '')}`]);
    }
  }
  const show = (title: string, rows: Array<[number, string]>) => {
    console.log(title);
    for (const [size, what] of rows.sort((a, b) => b[0] - a[0]).slice(0, TOP))
      console.log(`  ${String(size).padStart(4)}  ${what}`);
  };
  show(`Largest of ${files.length} product files (lines; limit 400):`, files);
  show(`Largest of ${functions.length} functions (lines without blanks and comments; limit 80):`, functions);
}

void main();
