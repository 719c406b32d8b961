/**
 * What a section hands back: lines for the terminal as it goes, and a Markdown block that `--write`
 * puts into docs/PERFORMANCE.md between that section's marker comments.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';

export const SECTIONS = [
  'validators',
  'hotpath',
  'roundtrips',
  'load',
  'drain',
  'memory',
  'startup',
  'profile',
] as const;
export type SectionId = (typeof SECTIONS)[number];

/** The blocks of docs/PERFORMANCE.md that `--write` fills: one per section, and the targets. */
export type BlockId = SectionId | 'targets';

export interface SectionReport {
  id: BlockId;
  markdown: string;
}

export const say = (line = ''): void => console.log(line);

/** A Markdown table; Prettier-stable (padded columns, `| --- |` rule). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT }).toString();
const MEASURED = ['shared', 'functions', 'scripts'];

/** The code under measurement: HEAD and whatever is uncommitted under shared/, functions/ and scripts/. */
export interface CodeState {
  head: string;
  changed: string[];
  /** Changes with every uncommitted edit: compared at the start and the end of a run. */
  fingerprint: string;
}

export function codeState(): CodeState {
  try {
    const head = git('rev-parse', '--short', 'HEAD').trim();
    // Porcelain lines are `XY path`; X may be a space, so the output is not trimmed.
    const changed = git('status', '--porcelain', '--', ...MEASURED)
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    // The measured files' committed tree, not HEAD: a commit of tests alone changes no figure.
    const hash = createHash('sha256')
      .update(git('ls-tree', '-r', 'HEAD', '--', ...MEASURED))
      .update(git('diff', 'HEAD', '--', ...MEASURED));
    for (const file of git('ls-files', '--others', '--exclude-standard', '--', ...MEASURED).split('\n')) {
      if (file) hash.update(file).update(readFileSync(join(REPO_ROOT, file)));
    }
    return { head, changed, fingerprint: hash.digest('hex') };
  } catch {
    return { head: 'unknown commit', changed: [], fingerprint: '' };
  }
}

/** Node version, CPU, date and code: the line under each written section. */
export function environment(code: CodeState, note = ''): string {
  const cpu = cpus();
  const { head, changed } = code;
  const edits =
    changed.length === 0
      ? ''
      : changed.length <= 3
        ? ` + uncommitted ${changed.join(', ')}`
        : ` + ${changed.length} uncommitted files under shared/, functions/, scripts/`;
  const date = new Date().toISOString().slice(0, 10);
  return `Node ${process.version}, ${cpu[0]?.model.trim() ?? 'unknown CPU'} (${cpu.length} cores), ${date}, ${head}${edits}${note}.`;
}

const begin = (id: BlockId) => `<!-- bench:${id}:begin -->`;
const end = (id: BlockId) => `<!-- bench:${id}:end -->`;

/** Replaces each reported section's block between its markers; a missing marker pair is an error. */
export function writeDocs(
  reports: SectionReport[],
  stamp: string,
  file = join(REPO_ROOT, 'docs', 'PERFORMANCE.md'),
): void {
  let text = readFileSync(file, 'utf8');
  for (const { id, markdown } of reports) {
    const from = text.indexOf(begin(id));
    const to = text.indexOf(end(id));
    if (from < 0 || to < from) throw new Error(`${file} has no ${begin(id)} ... ${end(id)} block`);
    const block = `${begin(id)}\n\n${markdown.trim()}\n\n_${stamp}_\n\n`;
    text = text.slice(0, from) + block + text.slice(to);
  }
  writeFileSync(file, text);
}
