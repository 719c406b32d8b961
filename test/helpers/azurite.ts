import { randomBytes } from 'node:crypto';
import { connectionStringFor } from '../../scripts/lib/azurite';
import { describeNeeding } from './ci';

/**
 * `describe` for suites that need the real Azurite started by globalSetup. Under CI=true a missing
 * Azurite fails (globalSetup throws first); elsewhere the suite is skipped with a loud message.
 */
export const describeWithAzurite = describeNeeding('Azurite', () =>
  process.env.TEST_AZURITE_CONNECTION_STRING
    ? undefined
    : (process.env.TEST_AZURITE_UNAVAILABLE ?? 'not started'),
);

export function azuriteConnectionString(): string {
  const value = process.env.TEST_AZURITE_CONNECTION_STRING;
  if (!value) throw new Error('Azurite is not running (see test/helpers/globalSetup.ts)');
  return value;
}

export function azuritePorts(): { blobPort: number; tablePort: number } {
  return {
    blobPort: Number(process.env.TEST_AZURITE_BLOB_PORT),
    tablePort: Number(process.env.TEST_AZURITE_TABLE_PORT),
  };
}

/** A connection string whose endpoints are given ports (e.g. a fault proxy in front of Azurite). */
export function connectionStringVia(blobPort: number, tablePort: number): string {
  return connectionStringFor(blobPort, tablePort);
}

/** Unique container/table names so test files never see each other's data. */
export function uniqueStorageNames(): {
  rawContainer: string;
  idempotencyTable: string;
  devicesTable: string;
} {
  const suffix = randomBytes(5).toString('hex');
  return { rawContainer: `raw-${suffix}`, idempotencyTable: `idem${suffix}`, devicesTable: `dev${suffix}` };
}

/** Settings for a process (dev host, CLI) that should use Azurite with fresh, unique names. */
export function uniqueStorageEnv(): { names: ReturnType<typeof uniqueStorageNames>; env: NodeJS.ProcessEnv } {
  const names = uniqueStorageNames();
  return {
    names,
    env: {
      ...process.env,
      DATA_STORAGE_CONNECTION_STRING: azuriteConnectionString(),
      RAW_CONTAINER: names.rawContainer,
      IDEMPOTENCY_TABLE: names.idempotencyTable,
      DEVICES_TABLE: names.devicesTable,
    },
  };
}
