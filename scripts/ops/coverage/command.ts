/**
 * `telemetry-ops coverage` (`npm run coverage -- ...`): where the data gaps are, per device and UTC
 * hour, and whose clock is wrong; from the reading summaries in the idempotency table, never the
 * blobs (except `--rebuild`, once, for entries from before summaries). The arithmetic is
 * shared/coverage; this file reads the options, and report.ts and html.ts render.
 */
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { coverageOf, type Range, readCoverageInput } from '../../../shared/coverage';
import { BlobRawStore } from '../../../shared/storage/blobRawStore';
import { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import { TableLedgerStore } from '../../../shared/storage/tableLedgerStore';
import { profilesFromSchemas } from '../../../shared/validation/modelProfile';
import { readModelSchemas } from '../../../shared/validation/modelSchemas';
import { accountOption, deviceIdsArg, durationArg, instantArg, integerArg } from '../args';
import { writeFileAtomic } from '../atomicFile';
import { EXIT, UsageError, withExitCodes } from '../exitCodes';
import { mapConcurrently } from '../../../shared/mapConcurrently';
import { openStorage, type StorageTarget } from '../storageTarget';
import { devicesToReport } from './collect';
import { renderHtml } from './html';
import { rebuildLedger } from './rebuild';
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
      'first adopt files stored before the ledger existed, received in the range (reads their blobs once if they lack summaries)',
    )
    .option('--quiet', 'no progress output')
    .action(async (options: CoverageOptions) => {
      process.exitCode = await coverage(options);
    });
  return withExitCodes(command, {
    ok: 'the report was printed (gaps are findings, not failures)',
    failed: '--rebuild could not adopt some files (listed on stderr); the report still printed',
  });
}

async function coverage(options: CoverageOptions): Promise<number> {
  const range: Range = { from: options.from, to: options.to };
  if (range.to <= range.from) throw new UsageError('--to must be after --from.');
  const storage = await openStorage(options.account);
  const rebuilt = options.rebuild ? await rebuild(storage, range, options) : true;
  const report = await collect(storage, range, options);
  if (options.out) {
    await writeFileAtomic(options.out, renderHtml(report));
    if (!options.quiet) console.error(`coverage: wrote ${options.out}`);
  }
  console.log(options.json ? JSON.stringify(toJson(report)) : formatTerminal(report));
  return rebuilt ? EXIT.ok : EXIT.failed;
}

/** Every device's coverage, a few devices at a time (a few RowKey ranges each). */
async function collect(
  storage: StorageTarget,
  range: Range,
  options: CoverageOptions,
): Promise<CoverageReport> {
  const { config, clients } = storage;
  const devices = await devicesOf(storage, options);
  const sources = {
    ledger: new TableLedgerStore(clients.idempotencyTable, config.storageTimeoutMs),
    blobs: new BlobRawStore(clients.rawContainer, config.storageTimeoutMs),
    now: new Date(),
  };
  const toleranceSeconds = options.clockTolerance / 1000;
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    generatedAt: sources.now.toISOString(),
    clockToleranceSeconds: toleranceSeconds,
    devices: await mapConcurrently(devices, options.concurrency, async (deviceId) =>
      coverageOf(await readCoverageInput(sources, deviceId, range), range, toleranceSeconds),
    ),
  };
}

function devicesOf(
  { config, clients }: StorageTarget,
  options: CoverageOptions,
): Promise<string[]> | string[] {
  const registry = new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs);
  return options.device ?? devicesToReport(registry, clients.rawContainer);
}

/** `--rebuild`, with a bar on a terminal; false when some files could not be adopted. */
async function rebuild(storage: StorageTarget, range: Range, options: CoverageOptions): Promise<boolean> {
  const { config, clients } = storage;
  const bar =
    process.stderr.isTTY && !options.quiet
      ? new SingleBar({ format: 'rebuild [{bar}] {value}/{total} files', stream: process.stderr })
      : undefined;
  const ledger = new TableLedgerStore(clients.idempotencyTable, config.storageTimeoutMs);
  const result = await rebuildLedger(ledger, clients.rawContainer, profilesFromSchemas(readModelSchemas()), {
    devices: await devicesOf(storage, options),
    range,
    concurrency: options.concurrency,
    progress: (done, total) => (done === 0 ? bar?.start(total, 0) : bar?.update(done)),
  });
  bar?.stop();
  if (!options.quiet)
    console.error(
      `rebuild: ${result.rebuilt} of ${result.examined} files received in the range adopted into the ledger now; ${result.failed.length} failed.`,
    );
  for (const f of result.failed) console.error(`  ${f.deviceId} ${f.blobName}: ${f.reason}`);
  return result.failed.length === 0;
}
