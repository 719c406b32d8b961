/**
 * Bicep tasks for the infrastructure in infra/.
 *
 *   npm run bicep:install   restore the pinned Bicep CLI into .tools/ (via dotnet restore)
 *   npm run infra:build     compile infra/main.bicep to dist/infra/main.json (ARM JSON)
 *   npm run infra:lint      lint every .bicep file in infra/; any diagnostic, even a warning, fails
 *   tsx scripts/bicep.ts version
 *
 * The CLI is resolved by scripts/bicepCli.ts: BICEP_PATH, `bicep` on PATH, `az bicep`, then .tools/.
 * build and lint install the pinned CLI first when none is found.
 */
import { join, relative } from 'node:path';
import {
  MAIN_BICEP,
  INFRA_DIR,
  REPO_ROOT,
  buildBicep,
  ensureBicep,
  bicepFilesIn,
  formatDiagnostic,
  installBicep,
  lintAll,
  parseDiagnostics,
  pinnedBicepVersion,
  type BicepCli,
} from './bicepCli';

const DEFAULT_OUT = join(REPO_ROOT, 'dist', 'infra', 'main.json');

function usage(): never {
  console.error('usage: tsx scripts/bicep.ts <install|build [--outfile <file>]|lint|version>');
  process.exit(2);
}

function describe(cli: BicepCli): string {
  const pinned = pinnedBicepVersion();
  const note = cli.version.includes(pinned) ? '' : ` (note: the project pins ${pinned})`;
  return `${cli.version} from ${cli.source === 'tools' ? relative(REPO_ROOT, cli.command) : cli.source}${note}`;
}

function install(): void {
  const cli = installBicep({ log: (line) => console.log(line) });
  console.log(`Bicep CLI ready: ${describe(cli)}`);
}

function build(args: string[]): void {
  const i = args.indexOf('--outfile');
  const outFile = i >= 0 && args[i + 1] ? args[i + 1]! : DEFAULT_OUT;
  const cli = ensureBicep({ log: (line) => console.log(line) });
  console.log(`Using ${describe(cli)}`);
  const result = buildBicep(cli, MAIN_BICEP, outFile);
  const diagnostics = parseDiagnostics(`${result.stdout}\n${result.stderr}`);
  diagnostics.forEach((d) => console.error(formatDiagnostic(d)));
  if (result.status !== 0) {
    if (diagnostics.length === 0) console.error(`${result.stdout}\n${result.stderr}`.trim());
    console.error('bicep build failed');
    process.exit(1);
  }
  console.log(`Compiled ${relative(REPO_ROOT, MAIN_BICEP)} -> ${relative(REPO_ROOT, outFile)}`);
}

function lint(): void {
  const cli = ensureBicep({ log: (line) => console.log(line) });
  console.log(`Using ${describe(cli)}`);
  const report = lintAll(cli, INFRA_DIR);
  report.diagnostics.forEach((d) => console.error(formatDiagnostic(d)));
  if (report.failedToRun) {
    console.error(report.output.trim());
    console.error('bicep lint failed to run');
    process.exit(1);
  }
  if (report.diagnostics.length > 0) {
    console.error(
      `bicep lint: ${report.diagnostics.length} diagnostic(s); the project allows none, warnings included`,
    );
    process.exit(1);
  }
  console.log(`bicep lint: ${bicepFilesIn(INFRA_DIR).length} files, no diagnostics`);
}

function version(): void {
  const cli = ensureBicep({ log: (line) => console.log(line) });
  console.log(describe(cli));
}

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  try {
    switch (command) {
      case 'install':
        return install();
      case 'build':
        return build(rest);
      case 'lint':
        return lint();
      case 'version':
        return version();
      default:
        return usage();
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

main();
