/**
 * `telemetry-ops backfill <folder>` (`npm run backfill -- <folder> ...`): pushes a folder of buffered
 * gateway files into the endpoint, resumable and exactly once. docs/BACKFILL.md is the manual.
 */
import { Command, Option } from 'commander';
import { EXIT, withExitCodes } from '../exitCodes';
import { type BackfillReport, runBackfill } from './backfill';
import { deviceIdArg, integerArg } from '../args';
import { type BackfillFlags, JOURNAL_NAME, toSettings } from './options';
import { createProgress } from './progress';
import { IdempotencyMode } from './sender';
import { Tally } from './summary';

export function backfillCommand(): Command {
  const command = new Command('backfill')
    .description(
      "Send a folder of buffered gateway files to the endpoint: each device's files in path order, devices " +
        'in turn, retried like a gateway, journaled so a rerun skips what was acknowledged; the endpoint ' +
        'deduplicates, so nothing is stored twice.',
    )
    .argument('<folder>', 'the files: <folder>/<deviceId>/**/*.json (or any *.json with --device)')
    .option(
      '--url <baseUrl>',
      "the endpoint's base, e.g. http://127.0.0.1:7071 (/api/ingest/<deviceId> is appended)",
    )
    .option('--keys <file>', 'device keys: {"<deviceId>": "<key>", ...}')
    .option('--device <id>', "every *.json under the folder is this device's", deviceIdArg)
    .option('--key-env <VAR>', "the environment variable holding --device's key")
    .option('--concurrency <n>', 'requests at once', integerArg(1, 256), 4)
    .option('--timeout-ms <ms>', 'per request', integerArg(100, 600_000), 30_000)
    .option(
      '--max-attempts <n>',
      'per file, then it is left unsent (429s do not count)',
      integerArg(1, 1000),
      8,
    )
    .option('--gzip', 'gzip bodies over 1 KiB', true)
    .option('--no-gzip', 'send bodies uncompressed')
    .addOption(
      new Option(
        '--idempotency-key <mode>',
        'hash: the endpoint hashes the body; path: send <deviceId>/<path>',
      )
        .choices(Object.values(IdempotencyMode))
        .default(IdempotencyMode.Hash),
    )
    .option('--journal <file>', `the journal (default <folder>/${JOURNAL_NAME})`)
    .option('--quarantine <dir>', 'move rejected files here, each with a .reason.json')
    .option(
      '--delete-acknowledged',
      'delete each original once the endpoint answered 200 and it is journaled',
    )
    .option('--dry-run', 'check that each file is UTF-8 JSON and list what would be sent; send nothing')
    .option('--ca <file>', 'PEM certificate of a private CA to trust for https')
    .option('--json', 'end with a JSON summary line on stdout')
    .option('--quiet', 'no progress bar: a line per 1,000 files on stderr')
    .option('--retry-base-ms <ms>', 'first retry wait; doubles per failure', integerArg(1, 600_000), 1000)
    .option(
      '--retry-cap-ms <ms>',
      'longest retry wait (Retry-After may ask for more)',
      integerArg(1, 3_600_000),
      120_000,
    )
    .action(async (folder: string, flags: BackfillFlags) => {
      process.exitCode = await backfill(folder, flags);
    });
  return withExitCodes(command, {
    ok: 'every file acknowledged (stored, duplicate or skipped)',
    failed: 'some file rejected (the endpoint will not take its bytes)',
    incomplete:
      'incomplete: some file left unsent (retries exhausted, key refused), the run stopped early (interrupted, a fatal answer) or a journal line could not be written: rerun',
  }).addHelpText('after', '\nManual: docs/BACKFILL.md');
}

async function backfill(folder: string, flags: BackfillFlags): Promise<number> {
  const settings = toSettings(folder, flags);
  const tally = new Tally();
  const bar =
    !settings.dryRun && !flags.quiet && process.stdout.isTTY === true && process.stderr.isTTY === true;
  const progress = createProgress(tally, { bar });
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const started = performance.now();
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(EXIT.incomplete);
    progress.log(`${signal}: stopping; files not yet acknowledged stay unsent (again to quit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: BackfillReport;
  try {
    report = await runBackfill(settings, tally, { progress, result: out }, interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.stop();
  }

  // A dry run has listed them already.
  if (report.rejections.length > 0 && !settings.dryRun) {
    out(`Rejected${settings.quarantineDir ? ` (moved to ${settings.quarantineDir})` : ' (left in place)'}:`);
    for (const r of report.rejections) out(`  ${r.path}  ${r.error}: ${r.message}`);
    const more = tally.total.rejected - report.rejections.length;
    if (more > 0) out(`  ... and ${more} more (the journal lists them all)`);
  }
  if (tally.total.files === 0) out(`No *.json files under ${settings.folder}.`);
  if (settings.dryRun || report.rejections.length > 0 || tally.total.files === 0) out('');
  out(tally.table(settings.dryRun));
  if (report.retries.size > 0)
    out(`\nRetried: ${[...report.retries].map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
  const seconds = (performance.now() - started) / 1000;
  if (!settings.dryRun)
    out(
      `\n${tally.settled} of ${tally.total.files} file(s) settled in ${seconds.toFixed(1)} s: ` +
        `${(tally.settled / Math.max(seconds, 0.001)).toFixed(1)} files/s, ${(tally.total.bytes / 2 ** 20).toFixed(1)} MiB.`,
    );
  out(`${settings.dryRun ? '\n' : ''}${verdict(tally, report, settings.dryRun)}`);
  if (flags.json) out(JSON.stringify(tally.line(report, settings.dryRun)));
  if (settings.dryRun) return tally.total.rejected > 0 ? EXIT.failed : EXIT.ok;
  return tally.exitCode(report);
}

function verdict(tally: Tally, report: BackfillReport, dryRun: boolean): string {
  const t = tally.total;
  if (dryRun)
    return `Dry run: ${t.unsent} file(s) would be sent, ${t.skipped} skipped (journaled), ${t.rejected} invalid. Nothing was sent.`;
  const lines: string[] = [];
  if (report.fatal) lines.push(`Stopped: ${report.fatal}`);
  else if (report.interrupted) lines.push('Interrupted.');
  if (t.unsent > 0)
    lines.push(
      `${t.unsent} file(s) left unsent: rerun the same command to send them (acknowledged files are skipped).`,
    );
  if (t.unjournaled > 0)
    lines.push(
      `${t.unjournaled} file(s) acknowledged but not journaled: kept in place; a rerun resends them (answered 200 duplicate).`,
    );
  if (t.rejected > 0) lines.push(`${t.rejected} file(s) rejected: the endpoint will not take these bytes.`);
  if (t.unsent === 0 && t.rejected === 0 && t.unjournaled === 0 && !report.fatal && !report.interrupted)
    lines.push(`All ${t.files} file(s) acknowledged.`);
  return lines.join('\n');
}
