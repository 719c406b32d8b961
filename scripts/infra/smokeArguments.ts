/** `npm run smoke`'s command line (scripts/infra/smoke.ts). */
import { parseArgs } from 'node:util';

export interface SmokeArguments {
  baseUrl: string;
  deviceId: string;
  key: string;
  blobEndpoint?: string;
  container?: string;
}

/** The command line, with DATA_STORAGE_BLOB_ENDPOINT and RAW_CONTAINER as fallbacks; a string is a usage error. */
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
  const blobEndpoint =
    parsed.values['blob-endpoint']?.trim() || env.DATA_STORAGE_BLOB_ENDPOINT?.trim() || undefined;
  const container = parsed.values.container?.trim() || env.RAW_CONTAINER?.trim() || undefined;
  if (!blobEndpoint)
    return "the data account's blob endpoint is needed to read the stored blob back: --blob-endpoint <url>";
  if (!/^https:\/\/[^/?#\s]+\/?$/.test(blobEndpoint))
    return `"${blobEndpoint}" is not an https blob endpoint`;
  return { baseUrl, deviceId, key, blobEndpoint, container };
}

function parseSmokeArgv(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { 'blob-endpoint': { type: 'string' }, container: { type: 'string' } },
  });
}
