/**
 * `telemetry-ops coverage` (`npm run coverage -- ...`): where the data gaps are, per device and UTC
 * hour, and whose clock is wrong; from the reading summaries in the idempotency table, never the
 * blobs (except `--rebuild`, once, for entries from before summaries). The arithmetic is
 * shared/coverage; this file reads the options, and report.ts and html.ts render.
 */
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  coverageOf,
  DEFAULT_CLOCK_FLOOR_MS,
  DEFAULT_REFERENCE_COLUMNS,
  type Range,
  readCoverageInput,
  type ReferenceColumns,
  type ReferenceTally,
  wholeHours,
} from '../../../shared/coverage';
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
import { readReference, readReferenceMap } from './referenceCsv';
import { type CoverageReport, formatTerminal, toJson } from './report';

interface CoverageOptions {
  from: Date;
  to: Date;
  device?: string[];
  json?: boolean;
  out?: string;
  /** Milliseconds. */
  clockTolerance: number;
  clockFloor: Date;
  reference?: string;
  referenceMap?: string;
  referenceDeviceColumn: string;
  referenceTimeColumn: string;
  referenceHourColumn: string;
  referenceCountColumn: string;
  account?: string;
  concurrency: number;
  rebuild?: boolean;
  quiet?: boolean;
}

/** `--reference` and its companions: the historian's export held against ours. */
function referenceOptions(command: Command): Command {
  const column = (what: string, name: string) =>
    [`--reference-${what}-column <name>`, `the reference's ${name} column`, name] as const;
  return command
    .option(
      '--reference <csv>',
      "the historian's export: device,timestamp (a row per reading) or device,hour,count (a row per UTC hour)",
    )
    .option('--reference-map <csv>', "name,device: the historian's asset or tag names as device ids")
    .option(...column('device', DEFAULT_REFERENCE_COLUMNS.device))
    .option(...column('time', DEFAULT_REFERENCE_COLUMNS.timestamp))
    .option(...column('hour', DEFAULT_REFERENCE_COLUMNS.hour))
    .option(...column('count', DEFAULT_REFERENCE_COLUMNS.count));
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
    .addOption(
      new Option(
        '--clock-floor <date>',
        'device times before this are a clock reset (a gateway that fell back to 1970)',
      )
        .argParser(instantArg)
        .default(new Date(DEFAULT_CLOCK_FLOOR_MS), '2000-01-01'),
    )
    .addOption(accountOption())
    .option('--concurrency <n>', 'devices read at once', integerArg(1, 64), 8)
    .option(
      '--rebuild',
      'first adopt files stored before the ledger existed, received in the range (reads their blobs once if they lack summaries)',
    )
    .option('--quiet', 'no progress output');
  referenceOptions(command).action(async (options: CoverageOptions) => {
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
  if (options.referenceMap && !options.reference)
    throw new UsageError('--reference-map translates the names of a --reference file: give one.');
  // The reference is read first: a file that cannot be read stops the command before any storage call.
  const reference = options.reference ? await loadReference(options, range) : undefined;
  const storage = await openStorage(options.account);
  const rebuilt = options.rebuild ? await rebuild(storage, range, options) : true;
  const report = await collect(storage, range, options, reference);
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
  reference?: ReferenceTally,
): Promise<CoverageReport> {
  const { config, clients } = storage;
  const devices = await devicesOf(storage, options);
  // A device only the historian knows is reported too (all its hours are the historian's only).
  if (reference && !options.device)
    devices.push(...[...reference.hours.keys()].filter((id) => !devices.includes(id)).sort());
  const sources = {
    ledger: new TableLedgerStore(clients.idempotencyTable, config.storageTimeoutMs),
    blobs: new BlobRawStore(clients.rawContainer, config.storageTimeoutMs),
    now: new Date(),
  };
  const clock = { toleranceSeconds: options.clockTolerance / 1000, floorMs: options.clockFloor.getTime() };
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    generatedAt: sources.now.toISOString(),
    clockToleranceSeconds: clock.toleranceSeconds,
    clockFloor: options.clockFloor.toISOString(),
    ...(reference ? { reference: { file: options.reference!, rows: reference.rows } } : {}),
    devices: await mapConcurrently(devices, options.concurrency, async (deviceId) => {
      const rules = {
        ...clock,
        ...(reference ? { reference: reference.hours.get(deviceId) ?? new Map() } : {}),
      };
      return coverageOf(await readCoverageInput(sources, deviceId, range), range, rules);
    }),
  };
}

/** The historian's hours of the range, its names translated; what was left out said on stderr. */
async function loadReference(options: CoverageOptions, range: Range): Promise<ReferenceTally> {
  const columns: ReferenceColumns = {
    device: options.referenceDeviceColumn,
    timestamp: options.referenceTimeColumn,
    hour: options.referenceHourColumn,
    count: options.referenceCountColumn,
  };
  const names = options.referenceMap ? await readReferenceMap(options.referenceMap) : undefined;
  const tally = await readReference(options.reference!, columns, wholeHours(range), names);
  if (!options.quiet) {
    console.error(
      `reference: ${tally.rows} rows read, ${tally.outsideRange} outside the range's whole hours.`,
    );
    if (tally.ignoredRows > 0) {
      const shown = [...tally.ignoredNames].slice(0, 5).join(', ');
      const more = tally.ignoredNames.size > 5 ? `, and ${tally.ignoredNames.size - 5} more` : '';
      console.error(
        `reference: ${tally.ignoredRows} rows of names not in --reference-map ignored: ${shown}${more}.`,
      );
    }
  }
  return tally;
}

async function devicesOf({ config, clients }: StorageTarget, options: CoverageOptions): Promise<string[]> {
  const registry = new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs);
  return options.device ? [...options.device] : devicesToReport(registry, clients.rawContainer);
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
