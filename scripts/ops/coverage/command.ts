/**
 * `telemetry-ops coverage` (`npm run coverage -- ...`): where the data gaps are, per device and UTC
 * hour, and whose clock is wrong; from the reading summaries in the idempotency table, never the
 * blobs (except `--rebuild`, once, for entries from before summaries).
 */
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { profilesFromSchemas } from '../../../shared/validation/modelProfile';
import { readModelSchemas } from '../../../shared/validation/modelSchemas';
import { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import { deviceIdsArg, integerArg } from '../args';
import { parseDuration } from '../duration';
import { EXIT, UsageError } from '../exitCodes';
import { openStorage } from '../storageTarget';
import { devicesToReport } from './collect';
import { mapConcurrently } from '../mapConcurrently';
import { writeFileAtomic } from '../atomicFile';
import { readingSummaries } from '../../../shared/storage/readingSummaries';
import { coverageOf } from '../../../shared/coverage';
import { renderHtml } from './html';
import { rebuildSummaries } from './rebuild';
import { type CoverageReport, formatTerminal, toJson } from './report';

interface CoverageOptions {
  from: string;
  to: string;
  device?: string[];
  json?: boolean;
  out?: string;
  clockTolerance: string;
  account?: string;
  concurrency: number;
  rebuild?: boolean;
  quiet?: boolean;
}

function instant(name: string, text: string): Date {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms))
    throw new UsageError(
      `${name} must be an ISO date or date-time (e.g. 2026-11-01 or 2026-11-01T06:00Z); got "${text}".`,
    );
  return new Date(ms);
}

export function coverageCommand(): Command {
  return new Command('coverage')
    .description(
      'Data gaps per device and UTC hour, and device clocks that are off (terminal, --json, --out HTML).',
    )
    .requiredOption('--from <iso>', 'start of the range, inclusive (UTC unless the time says otherwise)')
    .requiredOption('--to <iso>', 'end of the range, exclusive')
    .option(
      '--device <id...>',
      'only these devices (default: every registered device and every device with files)',
      deviceIdsArg,
    )
    .option('--json', 'one JSON document on stdout')
    .option('--out <file>', 'also write a self-contained HTML heatmap here')
    .option(
      '--clock-tolerance <duration>',
      'how far send time may differ from receive time: 90s, 5m, 1h',
      '5m',
    )
    .option('--account <name>', 'data storage account in Azure; signs in with Entra ID (az login)')
    .option('--concurrency <n>', 'devices read at once', integerArg(1, 64), 8)
    .option(
      '--rebuild',
      'first write summaries into entries stored before summaries existed (reads those blobs once)',
    )
    .option('--quiet', 'no progress output')
    .action(async (options: CoverageOptions) => {
      const from = instant('--from', options.from);
      const to = instant('--to', options.to);
      if (to <= from) throw new UsageError('--to must be after --from.');
      const toleranceSeconds = parseDuration(options.clockTolerance) / 1000;
      const { concurrency } = options;

      const { config, clients } = await openStorage(options.account);
      if (options.rebuild) {
        const bar =
          process.stderr.isTTY && !options.quiet
            ? new SingleBar({ format: 'rebuild [{bar}] {value}/{total} entries', stream: process.stderr })
            : undefined;
        const result = await rebuildSummaries(
          clients.idempotencyTable,
          clients.rawContainer,
          profilesFromSchemas(readModelSchemas()),
          {
            devices: options.device,
            concurrency,
            progress: (done, total) => (done === 0 ? bar?.start(total, 0) : bar?.update(done)),
          },
        );
        bar?.stop();
        if (!options.quiet)
          console.error(
            `rebuild: ${result.rebuilt} of ${result.examined} entries summarised now; ${result.failed.length} failed.`,
          );
        for (const f of result.failed) console.error(`  ${f.deviceId} ${f.blobName}: ${f.reason}`);
        if (result.failed.length) process.exitCode = EXIT.failed;
      }

      const devices =
        options.device ??
        (await devicesToReport(
          new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs),
          clients.rawContainer,
        ));
      const range = { from, to };
      const report: CoverageReport = {
        from: from.toISOString(),
        to: to.toISOString(),
        generatedAt: new Date().toISOString(),
        clockToleranceSeconds: toleranceSeconds,
        devices: await mapConcurrently(devices, concurrency, async (deviceId) =>
          coverageOf(
            deviceId,
            await readingSummaries(clients.idempotencyTable, deviceId, range),
            range,
            toleranceSeconds,
          ),
        ),
      };
      if (options.out) {
        await writeFileAtomic(options.out, renderHtml(report));
        if (!options.quiet) console.error(`coverage: wrote ${options.out}`);
      }
      console.log(options.json ? JSON.stringify(toJson(report)) : formatTerminal(report));
    });
}
