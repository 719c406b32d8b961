import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The `--json` summary: the last stdout line, parsed. */
  json<T = Record<string, unknown>>(): T;
}

/** `npm run vendor -- <args>` as the vendor or an operator runs it: a separate process, through tsx. */
export function runVendor(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'scripts', 'ops', 'cli.ts'), 'vendor', ...args],
      { cwd: root, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({
          code,
          stdout,
          stderr,
          json: <T>() => JSON.parse(stdout.trimEnd().split('\n').pop() ?? '') as T,
        });
      },
    );
  });
}

/** Every file under `dir` (relative, `/`-separated, sorted), leaving out the sync's own folder. */
export function filesUnder(dir: string, skip = '.telemetry-sync'): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (relative(dir, full) === skip) continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
