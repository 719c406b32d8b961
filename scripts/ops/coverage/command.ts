/**
 * `telemetry-ops coverage` (`npm run coverage -- ...`): where the data gaps are, per device and UTC
 * hour, and whose clock is wrong; from the reading summaries in the idempotency table, never the
 * blobs (except `--rebuild`, once, for entries from before summaries). The arithmetic is
 * shared/coverage; this file reads the options, and report.ts and html.ts render.
 */
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { coverageOf, type Range } from '../../../shared/coverage';
import { readingSummaries } from '../../../shared/storage/readingSummaries';
import { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import { profilesFromSchemas } from '../../../shared/validation/modelProfile';
import { readModelSchemas } from '../../../shared/validation/modelSchemas';
import { accountOption, deviceIdsArg, durationArg, instantArg, integerArg } from '../args';
import { writeFileAtomic } from '../atomicFile';
import { EXIT, UsageError, withExitCodes } from '../exitCodes';
import { mapConcurrently } from '../../../shared/mapConcurrently';
import { openStorage, type StorageTarget } from '../storageTarget';
import { devicesToReport } from './collect';
import { renderHtml } from './html';
import { rebuildSummaries } from './rebuild';
import { type CoverageReport, formatTerminal, toJson } from './report';

interface CoverageOptions {
  from: Date;
  to: Date;
  device?: string[];
  json?: boolean;
  out?: string;
  /** Milliseconds. */
  clockTolerance: number;
  account?: string;
  concurrency: number;
  rebuild?: boolean;
  quiet?: boolean;
}

export function coverageCommand(): Command {
  const command = new Command('coverage')
    .description(
      'Data gaps per device and UTC hour, and device clocks that are off (terminal, --json, --out HTML).',
    )
    .requiredOption(
      '--from <iso>',
      'start of the range, inclusive (UTC unless the time says otherwise)',
      instantArg,
    )
    .requiredOption('--to <iso>', 'end of the range, exclusive', instantArg)
    .option(
      '--device <id...>',
      'only these devices (default: every registered device and every device with files)',
      deviceIdsArg,
    )
    .option('--json', 'one JSON document on stdout')
    .option('--out <file>', 'also write a self-contained HTML heatmap here')
    .addOption(
      new Option(
        '--clock-tolerance <duration>',
        'how far send time may differ from receive time: 90s, 5m, 1h',
      )
        .argParser(durationArg)
        .default(5 * 60_000, '5m'),
    )
    .addOption(accountOption())
    .option('--concurrency <n>', 'devices read at once', integerArg(1, 64), 8)
    .option(
      '--rebuild',
      'first write summaries into entries stored before summaries existed (reads those blobs once)',
    )
    .option('--quiet', 'no progress output')
    .action(async (options: CoverageOptions) => {
      process.exitCode = await coverage(options);
    });
  return withExitCodes(command, {
    ok: 'the report was printed (gaps are findings, not failures)',
    failed: '--rebuild could not summarise some entries (listed on stderr); the report still printed',
  });
}

async function coverage(options: CoverageOptions): Promise<number> {
  const range: Range = { from: options.from, to: options.to };
  if (range.to <= range.from) throw new UsageError('--to must be after --from.');
  const storage = await openStorage(options.account);
  const rebuilt = options.rebuild ? await rebuild(storage, options) : true;
  const report = await collect(storage, range, options);
  if (options.out) {
    await writeFileAtomic(options.out, renderHtml(report));
    if (!options.quiet) console.error(`coverage: wrote ${options.out}`);
  }
  console.log(options.json ? JSON.stringify(toJson(report)) : formatTerminal(report));
  return rebuilt ? EXIT.ok : EXIT.failed;
}

/** Every device's coverage, a few devices at a time (one partition query each). */
async function collect(
  { config, clients }: StorageTarget,
  range: Range,
  options: CoverageOptions,
): Promise<CoverageReport> {
  const registry = new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs);
  const devices = options.device ?? (await devicesToReport(registry, clients.rawContainer));
  const toleranceSeconds = options.clockTolerance / 1000;
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    generatedAt: new Date().toISOString(),
    clockToleranceSeconds: toleranceSeconds,
    devices: await mapConcurrently(devices, options.concurrency, async (deviceId) =>
      coverageOf(
        deviceId,
        await readingSummaries(clients.idempotencyTable, deviceId, range),
        range,
        toleranceSeconds,
      ),
    ),
  };
}

/** `--rebuild`, with a bar on a terminal; false when some entries could not be summarised. */
async function rebuild({ clients }: StorageTarget, options: CoverageOptions): Promise<boolean> {
  const bar =
    process.stderr.isTTY && !options.quiet
      ? new SingleBar({ format: 'rebuild [{bar}] {value}/{total} entries', stream: process.stderr })
      : undefined;
  const profiles = profilesFromSchemas(readModelSchemas());
  const result = await rebuildSummaries(clients.idempotencyTable, clients.rawContainer, profiles, {
    devices: options.device,
    concurrency: options.concurrency,
    progress: (done, total) => (done === 0 ? bar?.start(total, 0) : bar?.update(done)),
  });
  bar?.stop();
  if (!options.quiet)
    console.error(
      `rebuild: ${result.rebuilt} of ${result.examined} entries summarised now; ${result.failed.length} failed.`,
    );
  for (const f of result.failed) console.error(`  ${f.deviceId} ${f.blobName}: ${f.reason}`);
  return result.failed.length === 0;
}
