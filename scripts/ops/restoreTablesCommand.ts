/**
 * `telemetry-ops restore-tables` (`npm run ops -- restore-tables`): writes a scheduled export of the
 * devices and idempotency tables (shared/tableExport) back into the tables. Refuses tables that
 * already hold entities unless --allow-non-empty (and then keeps every entity that is there);
 * --dry-run reads and checks the export and writes nothing.
 */
import { Command } from 'commander';
import { completeExports, restoreTables } from '../../shared/tableExport/restoreTables';
import { accountOption } from './args';
import { withExitCodes } from './exitCodes';
import { openStorage } from './storageTarget';

interface RestoreFlags {
  account?: string;
  export?: string;
  list?: boolean;
  dryRun?: boolean;
  allowNonEmpty?: boolean;
  json?: boolean;
}

export function restoreTablesCommand(): Command {
  const command = new Command('restore-tables')
    .description(
      'restore the devices and idempotency tables from a table export (newest complete one by default)',
    )
    .addOption(accountOption())
    .option('--export <slot>', 'the export to read, e.g. 2026-11-27T01 (see --list)')
    .option('--list', 'list the complete exports and exit')
    .option('--dry-run', 'read and verify the export, report what would be written, write nothing')
    .option('--allow-non-empty', 'write into tables that already hold entities (existing entities are kept)')
    .option('--json', 'print a machine-readable summary as the last line')
    .action(async (flags: RestoreFlags) => {
      const { clients, where } = await openStorage(flags.account);
      if (flags.list) {
        const slots = await completeExports(clients.exportsContainer);
        console.log(slots.length > 0 ? slots.join('\n') : `No complete table export in ${where}.`);
        if (flags.json) console.log(JSON.stringify({ exports: slots }));
        return;
      }
      const report = await restoreTables({
        container: clients.exportsContainer,
        tables: { devices: clients.devicesTable, idempotency: clients.idempotencyTable },
        slot: flags.export,
        dryRun: flags.dryRun,
        allowNonEmpty: flags.allowNonEmpty,
      });
      const verb = report.dryRun ? 'would write' : 'wrote';
      console.log(`Export ${report.slot} -> ${where}${report.dryRun ? ' (dry run: nothing written)' : ''}:`);
      for (const t of report.tables) {
        const count = report.dryRun ? t.entities : t.written;
        console.log(
          `  ${t.name}: ${t.entities} in the export, ${verb} ${count}, kept ${t.existing} existing`,
        );
      }
      if (flags.json) console.log(JSON.stringify(report));
    });
  return withExitCodes(command, {
    ok: 'the export was restored (or listed, or checked by --dry-run)',
    failed: 'refused (tables not empty, no complete export, a part whose SHA-256 differs) or failed',
  });
}
