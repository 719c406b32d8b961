/**
 * `telemetry-ops sweep` (`npm run ops -- sweep`): the timer function's sweep, on demand. Safe beside
 * the timer (two sweeps at once settle each file once). In Azure it writes the ledger and the
 * confirmation record, so it needs write access to the data account.
 */
import { Command, Option } from 'commander';
import { sweepOver } from '../../shared/sweep/sweepOver';
import type { SweepResult } from '../../shared/sweep/types';
import { accountOption, deviceIdsArg, durationArg } from './args';
import { EXIT, UsageError, withExitCodes } from './exitCodes';
import { openStorage } from './storageTarget';

/** Below this, a claim's own writer could still be at work (the in-flight bound is minutes). */
const MIN_ORPHAN_AFTER_MS = 10 * 60_000;

interface SweepOptions {
  orphanAfter?: number;
  device?: string[];
  json?: boolean;
  account?: string;
}

export function sweepCommand(): Command {
  const command = new Command('sweep')
    .description(
      'Settle every claim now: confirm stored files, name orphaned claims (as the timer function does).',
    )
    .addOption(
      new Option(
        '--orphan-after <duration>',
        'a claim without its blob this long after its last write is orphaned (default: SWEEP_ORPHAN_AFTER_MINUTES, 6h)',
      ).argParser(durationArg),
    )
    .option(
      '--device <id...>',
      'only these devices (default: every registered device and every device with files)',
      deviceIdsArg,
    )
    .option('--json', 'print {"confirmed","orphaned","stillPending"} as the last line')
    .addOption(accountOption())
    .action(async (options: SweepOptions) => {
      process.exitCode = await sweep(options);
    });
  return withExitCodes(command, {
    ok: 'every claim was judged (some may still be pending: too young to give up)',
    failed: 'some claim could not be judged (a blob with other bytes than its claim; listed on stderr)',
  });
}

async function sweep(options: SweepOptions): Promise<number> {
  if (options.orphanAfter !== undefined && options.orphanAfter < MIN_ORPHAN_AFTER_MS)
    throw new UsageError('--orphan-after must be at least 10m: a younger claim may still be written.');
  const { config, clients, where } = await openStorage(options.account);
  const result = await sweepOver(clients, {
    storageTimeoutMs: config.storageTimeoutMs,
    orphanAfterMs: options.orphanAfter ?? config.sweepOrphanAfterMs,
    devices: options.device,
  });
  printResult(result, where);
  const problems = result.devices.flatMap((d) => d.problems.map((p) => `${d.deviceId}: ${p}`));
  for (const problem of problems) console.error(`problem: ${problem}`);
  const { confirmed, orphaned, stillPending } = result;
  if (options.json) console.log(JSON.stringify({ confirmed, orphaned, stillPending }));
  return problems.length > 0 ? EXIT.failed : EXIT.ok;
}

function printResult(result: SweepResult, where: string): void {
  console.log(
    `Sweep of ${where}: ${result.devices.length} device(s); ${result.confirmed} file(s) confirmed, ` +
      `${result.orphaned} claim(s) orphaned, ${result.stillPending} still pending.`,
  );
  for (const d of result.devices.filter((x) => x.confirmed + x.orphaned + x.stillPending > 0)) {
    const last = d.lastFileAt ? `, last file ${d.lastFileAt}` : '';
    console.log(
      `  ${d.deviceId}: ${d.confirmed} confirmed, ${d.orphaned} orphaned, ${d.stillPending} pending${last}`,
    );
  }
}
