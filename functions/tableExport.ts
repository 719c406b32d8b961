import { app, type InvocationContext, type Timer } from '@azure/functions';
import { describeError } from '../shared/errors';
import { getRuntime, type Runtime } from '../shared/runtime';
import { exportTables } from '../shared/tableExport/exportTables';

/**
 * Nightly at 01:30 UTC (NCRONTAB, six fields), before the 02:00 vaulted backup copies the exports
 * container: Table Storage has no soft delete, so these exports are how the tables come back.
 */
export const TABLE_EXPORT_SCHEDULE = '0 30 1 * * *';

/** Exports the devices and idempotency tables into the exports container (shared/tableExport). */
export const createTableExportHandler =
  (runtimeOf: () => Runtime = getRuntime, now: () => Date = () => new Date()) =>
  async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const { clients, config } = runtimeOf();
    try {
      const result = await exportTables({
        container: clients.exportsContainer,
        tables: [
          { role: 'devices', client: clients.devicesTable },
          { role: 'idempotency', client: clients.idempotencyTable },
        ],
        now: now(),
        timeoutMs: config.storageTimeoutMs,
      });
      const detail =
        result.status === 'exported'
          ? {
              slot: result.manifest.slot,
              tables: result.manifest.tables.map((t) => ({ [t.name]: t.entities })),
            }
          : { slot: result.slot };
      context.log(JSON.stringify({ event: 'tableExport', status: result.status, ...detail }));
    } catch (err) {
      context.error(JSON.stringify({ event: 'tableExport', status: 'failed', error: describeError(err) }));
      // Failing the invocation makes it visible (FunctionAppLogs, Application Insights failures).
      throw err;
    }
  };

app.timer('tableExport', { schedule: TABLE_EXPORT_SCHEDULE, handler: createTableExportHandler() });
