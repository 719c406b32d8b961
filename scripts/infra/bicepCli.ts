/**
 * Finds, installs and runs the Bicep CLI. Shared by scripts/bicep.ts (npm run bicep:install,
 * infra:build, infra:lint) and the infrastructure tests in test/infra.
 *
 * The Bicep CLI is not on npm. Its NuGet package Azure.Bicep.CommandLine.<rid> ships the
 * self-contained `bicep` executable, so the project fetches it with a restore-only .NET project
 * (infra/tools/bicep-cli.csproj) into the git-ignored .tools/ folder. That project pins the version.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { REPO_ROOT } from '../lib/repoRoot';

export { REPO_ROOT };
export const INFRA_DIR = join(REPO_ROOT, 'infra');
export const MAIN_BICEP = join(INFRA_DIR, 'main.bicep');
export const BICEP_CSPROJ = join(INFRA_DIR, 'tools', 'bicep-cli.csproj');
export const TOOLS_DIR = join(REPO_ROOT, '.tools');
export const NUGET_PACKAGES_DIR = join(TOOLS_DIR, 'nuget');

/** Generous: the first restore downloads a ~50 MB package. */
export const DEFAULT_INSTALL_TIMEOUT_MS = 5 * 60_000;

/** Where a usable Bicep CLI came from, in resolution order. */
export type BicepSource = 'BICEP_PATH' | 'PATH' | 'az' | 'tools';

export interface BicepCli {
  source: BicepSource;
  /** Executable to spawn: the bicep binary, or `az` for source 'az'. */
  command: string;
  /** Arguments placed before the bicep subcommand (`['bicep']` for az). */
  prefixArgs: string[];
  /** First line of `bicep --version`, e.g. "Bicep CLI version 0.49.2 (b34271ac51)". */
  version: string;
}

export interface BicepRunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One compiler or linter diagnostic as printed by `bicep build` / `bicep lint`. */
export interface BicepDiagnostic {
  file: string;
  line: number;
  column: number;
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
}

/** The Bicep version pinned in infra/tools/bicep-cli.csproj. */
export function pinnedBicepVersion(): string {
  const match = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(readFileSync(BICEP_CSPROJ, 'utf8'));
  if (!match?.[1]) throw new Error(`no <BicepVersion> in ${BICEP_CSPROJ}`);
  return match[1].trim();
}

/** NuGet runtime identifier of the Bicep package for this machine. */
export function bicepRid(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'win' : platform === 'darwin' ? 'osx' : 'linux';
  const cpu = arch === 'arm64' ? 'arm64' : 'x64';
  return `${os}-${cpu}`;
}

/** Path of the binary `npm run bicep:install` restores (it may not exist yet). */
export function cachedBicepPath(version: string = pinnedBicepVersion(), rid: string = bicepRid()): string {
  const exe = rid.startsWith('win') ? 'bicep.exe' : 'bicep';
  const packageDir = `azure.bicep.commandline.${rid}`.toLowerCase();
  return join(NUGET_PACKAGES_DIR, packageDir, version, 'tools', exe);
}

/**
 * Finds a working Bicep CLI without installing anything. Resolution order:
 * 1. BICEP_PATH (an explicit path; an unusable one is an error, not a fall-through),
 * 2. `bicep` on PATH,
 * 3. `az bicep`, when the Azure CLI is installed and already has Bicep,
 * 4. the binary restored into .tools/ by `npm run bicep:install`.
 * Returns undefined when none is available.
 */
export function findBicep(env: NodeJS.ProcessEnv = process.env): BicepCli | undefined {
  const explicit = env.BICEP_PATH?.trim();
  if (explicit) {
    const version = probeVersion(explicit, ['--version'], env);
    if (!version)
      throw new Error(`BICEP_PATH=${explicit} is not a working Bicep CLI (\`bicep --version\` failed)`);
    return { source: 'BICEP_PATH', command: explicit, prefixArgs: [], version };
  }

  const onPath = whichSync(process.platform === 'win32' ? 'bicep.exe' : 'bicep', env);
  if (onPath) {
    const version = probeVersion(onPath, ['--version'], env);
    if (version) return { source: 'PATH', command: onPath, prefixArgs: [], version };
  }

  const az = whichSync(process.platform === 'win32' ? 'az.cmd' : 'az', env);
  if (az && azHasBicep(env)) {
    const version = probeVersion(az, ['bicep', 'version'], env);
    if (version) return { source: 'az', command: az, prefixArgs: ['bicep'], version };
  }

  const cached = cachedBicepPath();
  if (existsSync(cached)) {
    makeExecutable(cached);
    const version = probeVersion(cached, ['--version'], env);
    if (version) return { source: 'tools', command: cached, prefixArgs: [], version };
  }
  return undefined;
}

/** The pinned Bicep CLI from .tools/, restored first if it is missing. */
export function installBicep(options: { timeoutMs?: number; log?: (line: string) => void } = {}): BicepCli {
  const log = options.log ?? (() => undefined);
  const version = pinnedBicepVersion();
  const binary = cachedBicepPath(version);
  if (!existsSync(binary)) {
    withInstallLock(options.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS, () => {
      if (existsSync(binary)) return; // another process finished the restore while we waited
      restore(version, options.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS, log);
    });
  }
  if (!existsSync(binary)) {
    throw new Error(
      `dotnet restore succeeded but ${binary} is missing: is ${bicepRid()} a published Bicep RID?`,
    );
  }
  makeExecutable(binary);
  const found = probeVersion(binary, ['--version'], process.env);
  if (!found) throw new Error(`${binary} does not run (\`bicep --version\` failed)`);
  return { source: 'tools', command: binary, prefixArgs: [], version: found };
}

/** A Bicep CLI: whatever findBicep() resolves, otherwise the pinned one restored via dotnet. */
export function ensureBicep(options: { timeoutMs?: number; log?: (line: string) => void } = {}): BicepCli {
  return findBicep() ?? installBicep(options);
}

/** Runs a bicep subcommand (`build`, `lint`, ...) and captures its output. */
export function runBicep(
  cli: BicepCli,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): BicepRunResult {
  const result = spawnSync(cli.command, [...cli.prefixArgs, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: bicepEnv(process.env),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`failed to run ${cli.command}: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Compiles a .bicep file to ARM JSON at outFile (directories are created). */
export function buildBicep(cli: BicepCli, file: string, outFile: string): BicepRunResult {
  mkdirSync(resolve(outFile, '..'), { recursive: true });
  const args =
    cli.source === 'az'
      ? ['build', '--file', file, '--outfile', outFile]
      : ['build', file, '--outfile', outFile];
  return runBicep(cli, args);
}

/** Lints one .bicep file (which also reports diagnostics of the modules it references). */
export function lintBicep(cli: BicepCli, file: string): BicepRunResult {
  return runBicep(cli, cli.source === 'az' ? ['lint', '--file', file] : ['lint', file]);
}

export interface LintReport {
  /** Every diagnostic reported, warnings and infos included. */
  diagnostics: BicepDiagnostic[];
  /** The CLI failed without reporting a diagnostic (crash, bad arguments, ...). */
  failedToRun: boolean;
  /** Raw stdout + stderr. */
  output: string;
}

/** Lints every .bicep file under dir (one process with --pattern; file by file for `az bicep`). */
export function lintAll(cli: BicepCli, dir: string = INFRA_DIR): LintReport {
  const outputs: string[] = [];
  let failedToRun = false;
  const runs =
    cli.source === 'az'
      ? bicepFilesIn(dir).map((file) => lintBicep(cli, file))
      : [runBicep(cli, ['lint', '--pattern', '**/*.bicep'], { cwd: dir })];
  for (const r of runs) {
    const output = `${r.stdout}\n${r.stderr}`;
    outputs.push(output);
    failedToRun ||= r.status !== 0 && parseDiagnostics(output).length === 0;
  }
  const output = outputs.join('\n');
  return { diagnostics: parseDiagnostics(output), failedToRun, output };
}

/** All .bicep files under dir, recursively, sorted. */
export function bicepFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return bicepFilesIn(path);
      return entry.name.endsWith('.bicep') ? [path] : [];
    })
    .sort();
}

const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([^:\s]+): (.*)$/;

/** Parses the default (text) diagnostics format of `bicep build` / `bicep lint`, de-duplicated. */
export function parseDiagnostics(output: string): BicepDiagnostic[] {
  const seen = new Set<string>();
  const diagnostics: BicepDiagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = DIAGNOSTIC.exec(line.trim());
    if (!m || seen.has(line.trim())) continue;
    seen.add(line.trim());
    diagnostics.push({
      file: m[1] as string,
      line: Number(m[2]),
      column: Number(m[3]),
      level: m[4] as BicepDiagnostic['level'],
      code: m[5] as string,
      message: m[6] as string,
    });
  }
  return diagnostics;
}

export function formatDiagnostic(d: BicepDiagnostic): string {
  return `${d.file}(${d.line},${d.column}) : ${d.level} ${d.code}: ${d.message}`;
}

// --- internals -----------------------------------------------------------------------------------

function bicepEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    // No usage telemetry, and no "a newer version is available" look-up from the Azure CLI.
    BICEP_TELEMETRY_ENABLED: 'false',
    AZURE_BICEP_CHECK_VERSION: 'False',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
  };
}

function probeVersion(command: string, args: string[], env: NodeJS.ProcessEnv): string | undefined {
  let result: SpawnSyncReturns<string>;
  try {
    result = spawnSync(command, args, {
      encoding: 'utf8',
      timeout: 60_000,
      env: bicepEnv(env),
    });
  } catch {
    return undefined;
  }
  if (result.error || result.status !== 0) return undefined;
  const line = `${result.stdout}\n${result.stderr}`.split(/\r?\n/).find((l) => /Bicep CLI version/i.test(l));
  return line?.trim();
}

/** `az bicep` only counts when az already has the CLI: `az bicep version` would download it otherwise. */
function azHasBicep(env: NodeJS.ProcessEnv): boolean {
  const configDir = env.AZURE_CONFIG_DIR ?? join(env.HOME ?? env.USERPROFILE ?? '', '.azure');
  const exe = process.platform === 'win32' ? 'bicep.exe' : 'bicep';
  return existsSync(join(configDir, 'bin', exe));
}

function whichSync(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function makeExecutable(file: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode;
  if ((mode & 0o111) !== 0o111) chmodSync(file, mode | 0o755);
}

function restore(version: string, timeoutMs: number, log: (line: string) => void): void {
  const dotnet = whichSync(process.platform === 'win32' ? 'dotnet.exe' : 'dotnet', process.env);
  if (!dotnet) {
    throw new Error(
      'the Bicep CLI is not installed and `dotnet` is not on PATH to restore it: install the .NET SDK, ' +
        'or put `bicep` on PATH, or set BICEP_PATH',
    );
  }
  const rid = bicepRid();
  log(`Restoring Azure.Bicep.CommandLine.${rid} ${version} into ${NUGET_PACKAGES_DIR} (dotnet restore)...`);
  const started = Date.now();
  const result = spawnSync(
    dotnet,
    ['restore', BICEP_CSPROJ, '--packages', NUGET_PACKAGES_DIR, `-p:BicepRid=${rid}`, '--nologo'],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: timeoutMs, env: bicepEnv(process.env) },
  );
  if (result.error) throw new Error(`dotnet restore failed to run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `dotnet restore exited with ${result.status}:\n${result.stdout}\n${result.stderr}`.trim(),
    );
  }
  log(`Restored Bicep CLI ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/**
 * Serialises restores across processes (jest runs test files in parallel workers): an exclusive
 * lock directory, waited on while another process restores, broken when older than the timeout.
 */
function withInstallLock(timeoutMs: number, fn: () => void): void {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const lock = join(TOOLS_DIR, 'bicep-install.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released between our mkdir and stat
      }
      if (age > timeoutMs) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}; remove it if it is stale`);
      sleepSync(500);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
