import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../exitCodes';
import { KeyRing } from './keys';
import type { Backoff } from './retryPolicy';
import { IdempotencyMode } from './sender';

/** The options as commander parses them. */
export interface BackfillFlags {
  url?: string;
  keys?: string;
  device?: string;
  keyEnv?: string;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  gzip: boolean;
  idempotencyKey: IdempotencyMode;
  journal?: string;
  quarantine?: string;
  deleteAcknowledged?: boolean;
  dryRun?: boolean;
  ca?: string;
  json?: boolean;
  quiet?: boolean;
  retryBaseMs: number;
  retryCapMs: number;
}

/** What a run works with, checked. */
export interface BackfillSettings {
  folder: string;
  /** `--device`: the whole folder is this device's. */
  device?: string;
  keys: KeyRing;
  /** Absent only for a dry run. */
  baseUrl?: URL;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  gzip: boolean;
  idempotency: IdempotencyMode;
  journalPath: string;
  quarantineDir?: string;
  deleteAcknowledged: boolean;
  dryRun: boolean;
  caPem?: string;
  backoff: Backoff;
}

export const JOURNAL_NAME = '.backfill-journal.jsonl';

/** Everything checked before the first file is read: a usage error (exit 64) says what to fix. */
export function toSettings(folderArg: string, flags: BackfillFlags, env = process.env): BackfillSettings {
  const folder = resolve(folderArg);
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new UsageError(`The folder ${folderArg} does not exist.`);
  }
  if (!isFolder) throw new UsageError(`${folderArg} is not a folder.`);

  const dryRun = flags.dryRun === true;
  const baseUrl = flags.url === undefined ? undefined : endpointUrl(flags.url);
  if (!baseUrl && !dryRun)
    throw new UsageError('--url <baseUrl> is required, e.g. --url http://127.0.0.1:7071.');

  if (flags.keyEnv !== undefined && flags.device === undefined)
    throw new UsageError('--key-env names the key of one device: give that device with --device <id>.');
  if (flags.keyEnv !== undefined && flags.keys !== undefined)
    throw new UsageError(
      'Give the keys either with --keys <file> or with --device <id> --key-env <VAR>, not both.',
    );
  let keys: KeyRing;
  if (flags.keys !== undefined) keys = KeyRing.fromFile(flags.keys);
  else if (flags.keyEnv !== undefined) keys = KeyRing.fromEnv(flags.device!, flags.keyEnv, env);
  else if (dryRun) keys = KeyRing.empty();
  else
    throw new UsageError(
      'Device keys are required: --keys <keys.json> ({"<deviceId>": "<key>"}) or --device <id> --key-env <VAR>.',
    );

  let caPem: string | undefined;
  if (flags.ca !== undefined) {
    try {
      caPem = readFileSync(flags.ca, 'utf8');
    } catch (err) {
      throw new UsageError(
        `Cannot read the CA file ${flags.ca}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`,
      );
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----'))
      throw new UsageError(`The CA file ${flags.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }

  const quarantineDir = flags.quarantine === undefined ? undefined : resolve(flags.quarantine);
  if (quarantineDir === folder)
    throw new UsageError('--quarantine must be another folder than the one sent.');
  if (flags.retryCapMs < flags.retryBaseMs)
    throw new UsageError('--retry-cap-ms must be at least --retry-base-ms.');

  return {
    folder,
    device: flags.device,
    keys,
    baseUrl,
    concurrency: flags.concurrency,
    timeoutMs: flags.timeoutMs,
    maxAttempts: flags.maxAttempts,
    gzip: flags.gzip,
    idempotency: flags.idempotencyKey,
    journalPath: resolve(flags.journal ?? join(folder, JOURNAL_NAME)),
    quarantineDir,
    deleteAcknowledged: flags.deleteAcknowledged === true,
    dryRun,
    caPem,
    backoff: { baseMs: flags.retryBaseMs, capMs: flags.retryCapMs },
  };
}

/** http(s)://host[:port][/base], without credentials, query or the route itself. */
function endpointUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--url "${raw}" is not a URL; expected e.g. http://127.0.0.1:7071 or https://<app>.azurewebsites.net.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be http:// or https://, not ${url.protocol}//.`);
  if (url.username || url.password)
    throw new UsageError('--url must not carry credentials; keys go in --keys.');
  if (url.search || url.hash) throw new UsageError('--url must not have a query or fragment.');
  if (/\/api(\/ingest(\/.*)?)?\/?$/.test(url.pathname))
    throw new UsageError(
      `--url is the endpoint's base (e.g. ${url.origin}); /api/ingest/<deviceId> is appended for each device.`,
    );
  return url;
}
