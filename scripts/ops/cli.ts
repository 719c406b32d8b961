/**
 * `telemetry-ops`: the one command-line entry for operators and the vendor. Each audience's tool is a
 * subcommand with its own --help; npm aliases (`npm run device -- ...`) call the same entry.
 *
 * Exit codes, for scripts (each command's --help says what they mean for it; docs/DEVELOPMENT.md
 * states the conventions): 0 ok, 1 something was refused or failed, 2 incomplete (rerun), 64 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { describeError } from '../../shared/errors';
import { backfillCommand } from './backfill/command';
import { coverageCommand } from './coverage/command';
import { deviceCommand } from './device';
import { EXIT, UsageError } from './exitCodes';
import { vendorCommand } from './handoff/command';
import { restoreTablesCommand } from './restoreTablesCommand';
import { silentCommand } from './silent';
import { sweepCommand } from './sweep';

export function opsProgram(): Command {
  return new Command('telemetry-ops')
    .description('Operator and vendor tools for the telemetry ingest endpoint.')
    .addCommand(deviceCommand())
    .addCommand(backfillCommand())
    .addCommand(coverageCommand())
    .addCommand(vendorCommand())
    .addCommand(sweepCommand())
    .addCommand(silentCommand())
    .addCommand(restoreTablesCommand())
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 something refused or failed, 2 incomplete (run again), 64 bad usage;\n' +
        "each command's --help says what they mean for it.",
    )
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
}

/** Runs the CLI and returns its exit code instead of exiting, so tests can drive it in-process too. */
export async function runOps(argv: string[]): Promise<number> {
  const program = opsProgram();
  // Subcommands inherit the override, so a usage error anywhere surfaces here as a CommanderError.
  program.commands.forEach(function override(cmd: Command) {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; commander already printed the message.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      return EXIT.usage;
    }
    // An operator's tool: the full message helps (sign-in problems, missing table); keys are never in it.
    console.error(`error: ${err instanceof Error ? err.message : describeError(err)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  void runOps(process.argv.slice(2)).then((code) => process.exit(code));
}
