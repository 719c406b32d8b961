import type { Command } from 'commander';

/**
 * Exit codes every subcommand keeps, so scripts can branch on them (64 is sysexits' EX_USAGE).
 * docs/DEVELOPMENT.md#the-ops-command-line states the conventions.
 */
export const EXIT = {
  ok: 0,
  /** Something was refused (an item rejected, a device that does not exist) or failed. */
  failed: 1,
  /** Work left undone (unsent, unreachable, another run holding the folder): rerun later. */
  incomplete: 2,
  usage: 64,
} as const;

/** Bad arguments: the command did nothing, and says what to fix. */
export class UsageError extends Error {}

/** What each exit code means for one command; 64 (bad usage) is the same everywhere. */
export interface ExitMeanings {
  ok: string;
  failed: string;
  incomplete?: string;
}

/** Ends the command's --help with its exit codes, in the one shape every subcommand uses. */
export function withExitCodes(command: Command, meanings: ExitMeanings): Command {
  const rows: Array<[number, string | undefined]> = [
    [EXIT.ok, meanings.ok],
    [EXIT.failed, meanings.failed],
    [EXIT.incomplete, meanings.incomplete],
    [EXIT.usage, 'bad usage: nothing was done'],
  ];
  const lines = rows.filter(([, text]) => text).map(([code, text]) => `  ${String(code).padEnd(4)}${text}`);
  return command.addHelpText('after', `\nExit codes:\n${lines.join('\n')}`);
}
