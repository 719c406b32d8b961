/** `npm run smoke`'s command line (scripts/infra/smoke.ts). */
import { parseArgs } from 'node:util';
import { isStorageAccountName } from '../../shared/storageAccountName';

export interface SmokeArguments {
  baseUrl: string;
  deviceId: string;
  key: string;
  account?: string;
  container?: string;
}

/** The command line, with DATA_STORAGE_ACCOUNT_NAME and RAW_CONTAINER as fallbacks; a string is a usage error. */
export function parseSmokeArguments(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): SmokeArguments | string {
  let parsed: ReturnType<typeof parseSmokeArgv>;
  try {
    parsed = parseSmokeArgv(argv);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const [baseUrl, deviceId, key, ...extra] = parsed.positionals;
  if (!baseUrl || !deviceId || !key) return 'expected <baseUrl> <deviceId> <key>';
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  const account = parsed.values.account?.trim() || env.DATA_STORAGE_ACCOUNT_NAME?.trim() || undefined;
  const container = parsed.values.container?.trim() || env.RAW_CONTAINER?.trim() || undefined;
  if (!account) return 'the data storage account is needed to read the stored blob back: --account <name>';
  if (!isStorageAccountName(account)) return `"${account}" is not a storage account name`;
  return { baseUrl, deviceId, key, account, container };
}

function parseSmokeArgv(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { account: { type: 'string' }, container: { type: 'string' } },
  });
}
