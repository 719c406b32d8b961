import type { Command } from 'commander';
import { opsProgram, runOps } from '../../scripts/ops/cli';

/** Every command that does something (no subcommands of its own), as its argv path. */
function leafCommands(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  if (command.commands.length === 0) return [{ path, command }];
  return command.commands.flatMap((sub) => leafCommands(sub, [...path, sub.name()]));
}

/** Runs the CLI in-process, capturing what it writes. */
async function ops(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await runOps(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const leaves = leafCommands(opsProgram());
/** Options whose value goes through one of scripts/ops/args.ts's parsers. */
const parsedOptions = leaves.flatMap(({ path, command }) =>
  command.options
    .filter((o) => o.required && o.parseArg !== undefined && !o.argChoices)
    .map((o) => ({ path, flag: o.long! })),
);

describe('telemetry-ops: one --help shape and one set of exit codes for every subcommand', () => {
  test('the commands are the ones the docs name', () => {
    expect(leaves.map((l) => l.path.join(' '))).toEqual([
      'device add',
      'device list',
      'device show',
      'device rotate',
      'device set',
      'device disable',
      'device enable',
      'device remove',
      'backfill',
      'coverage',
      'vendor sas',
      'vendor sync',
      'sweep',
      'silent',
      'restore-tables',
    ]);
  });

  test.each(leaves.map((l) => [l.path.join(' '), l.path]))(
    '%s --help exits 0 and ends with its exit codes',
    async (_name, path) => {
      const help = await ops(...path, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: telemetry-ops ${path.join(' ')} `));
      expect(help.stdout).toMatch(
        /\nExit codes:\n {2}0 {3}\S.*\n {2}1 {3}\S.*\n( {2}2 {3}\S.*\n)? {2}64 {2}bad usage/,
      );
    },
  );

  test.each(leaves.map((l) => [l.path.join(' '), l.path]))(
    '%s with an unknown option exits 64 with a usage error',
    async (_name, path) => {
      const run = await ops(...path, '--no-such-option');
      expect(run.code).toBe(64);
      // Commands with a required option name that one first.
      expect(run.stderr).toMatch(
        /^error: (unknown option '--no-such-option'|required option '--\S+ <\S+>' not specified)/,
      );
      expect(run.stdout).toBe('');
    },
  );

  test.each(parsedOptions.map((o) => [o.path.join(' '), o.flag, o.path]))(
    '%s %s with a value its parser refuses exits 64, naming the option',
    async (_name, flag, path) => {
      const run = await ops(...path, flag, '../not-valid');
      expect(run.code).toBe(64);
      expect(run.stderr).toMatch(new RegExp(`option '${flag} <[^>]+>' argument '../not-valid' is invalid`));
    },
  );

  test('the groups and the program itself show help with exit 0', async () => {
    for (const path of [[], ['device'], ['vendor']]) {
      const help = await ops(...path, '--help');
      expect({ path, code: help.code }).toEqual({ path, code: 0 });
    }
    expect((await ops('--help')).stdout).toContain('Exit codes: 0 ok, 1 something refused or failed');
  });

  test('every value parser is used somewhere: device ids, numbers, durations, instants, accounts', () => {
    expect(parsedOptions.map((o) => `${o.path.join(' ')} ${o.flag}`)).toEqual(
      expect.arrayContaining([
        'device rotate --grace',
        'device set --expect-every',
        'backfill --device',
        'backfill --concurrency',
        'coverage --from',
        'coverage --clock-tolerance',
        'coverage --account',
        'vendor sas --days',
        'vendor sync --device',
      ]),
    );
  });
});
