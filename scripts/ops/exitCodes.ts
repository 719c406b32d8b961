/** Exit codes every subcommand keeps, so scripts can branch on them (64 is sysexits' EX_USAGE). */
export const EXIT = {
  ok: 0,
  /** Something was refused or failed; what is left is safe to retry. */
  failed: 1,
  /** Work left undone (unsent, unreachable): rerun later. */
  incomplete: 2,
  usage: 64,
} as const;

/** Bad arguments: the command did nothing, and says what to fix. */
export class UsageError extends Error {}
