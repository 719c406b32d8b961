/**
 * `telemetry-ops vendor <command>` (`npm run vendor -- <command>`): the hand-off to the sensor
 * vendor described in docs/DATA_CONTRACT.md. `sas` gives the vendor read + list access to the
 * container without any account key; `sync` is the reference client that pulls everything new.
 */
import { Command } from 'commander';
import { accountOption, deviceIdsArg, integerArg, numberArg } from '../args';
import { EXIT, UsageError, withExitCodes } from '../exitCodes';
import { FolderLockedError } from '../folderLock';
import { createContainerSas, MAX_USER_DELEGATION_DAYS, SasRefusedError } from './containerSas';
import { describeError, withoutQuery } from './describeError';
import { progressBar } from './progressBar';
import { SyncAccessError, syncContainer } from './syncContainer';
import { StateMismatchError } from './syncState';
import { containerForSync, serviceForSas } from './vendorClients';

interface SasOptions {
  days: number;
  container: string;
  account?: string;
  json?: boolean;
}

interface SyncCliOptions {
  dest: string;
  sasUrl?: string;
  account?: string;
  connectionStringEnv?: string;
  container: string;
  device?: string[];
  full?: boolean;
  concurrency: number;
  json?: boolean;
}

async function sas(options: SasOptions): Promise<void> {
  const { service, where } = serviceForSas(options.account);
  let result;
  try {
    result = await createContainerSas(service, options.container, options.days);
  } catch (err) {
    if (err instanceof SasRefusedError) throw new UsageError(err.message);
    throw err;
  }
  if (result.kind === 'service') {
    const azurite = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(new URL(service.url).hostname);
    console.error(
      `${where}: signed a SERVICE SAS with the account key from the connection string` +
        (azurite
          ? '. Azurite serves user delegation keys only when started with --oauth basic over HTTPS, which ' +
            'npm start does not do, so a key-signed SAS is what it supports here.'
          : '.') +
        ' Against Azure (--account) this command signs a user delegation SAS with your Entra ID ' +
        'sign-in and no account key: the only kind the deployed account accepts.',
    );
  } else {
    console.error(
      `${where}: signed a USER DELEGATION SAS with your Entra ID sign-in (no account key). It allows at ` +
        'most what your own role allows, and stops working when your role is removed or the ' +
        "account's delegation keys are revoked (az storage account revoke-delegation-keys).",
    );
  }
  const expiresOn = result.expiresOn.toISOString();
  if (options.json) {
    console.log(JSON.stringify({ url: result.url, expiresOn, permissions: result.permissions }));
    return;
  }
  console.log(`Read + list SAS for ${withoutQuery(result.url)}, valid until ${expiresOn}:\n`);
  console.log(result.url);
  console.log('\nGive it to the vendor over a secure channel; anyone holding it can read the container.');
}

async function sync(options: SyncCliOptions): Promise<number> {
  const container = containerForSync(options);
  console.error(`Syncing ${withoutQuery(container.url)} into ${options.dest}`);
  let summary;
  try {
    summary = await syncContainer(container, {
      dest: options.dest,
      devices: options.device,
      full: options.full,
      concurrency: options.concurrency,
      log: (line) => console.error(line),
      progress: progressBar(),
    });
  } catch (err) {
    if (err instanceof StateMismatchError) throw new UsageError(err.message);
    // Discovery failed, another sync holds --dest, or something local (the disk): nothing or only
    // part was done; rerun.
    const plain = err instanceof SyncAccessError || err instanceof FolderLockedError;
    console.error(`error: ${plain ? err.message : describeError(err)}`);
    report({ listed: 0, downloaded: 0, skipped: 0, failed: 0 }, options.json);
    return EXIT.incomplete;
  }
  const { listed, downloaded, skipped, failed } = summary;
  report({ listed, downloaded, skipped, failed }, options.json);
  if (summary.accessErrors > 0) {
    console.error('Incomplete: some prefixes or blobs could not be read (see above); run again later.');
    return EXIT.incomplete;
  }
  if (summary.rejected > 0) {
    console.error(
      `${summary.rejected} blob(s) failed verification and were not placed; report them to the operator.`,
    );
    return EXIT.failed;
  }
  return EXIT.ok;
}

function report(
  counts: { listed: number; downloaded: number; skipped: number; failed: number },
  json?: boolean,
) {
  console.log(
    `Listed ${counts.listed}, downloaded ${counts.downloaded}, skipped ${counts.skipped} (already here), failed ${counts.failed}.`,
  );
  if (json) console.log(JSON.stringify(counts));
}

export function vendorCommand(): Command {
  const vendor = new Command('vendor').description(
    'Vendor hand-off (docs/DATA_CONTRACT.md): a read-only SAS, and the reference sync client.',
  );

  vendor
    .command('sas')
    .description(
      'print a read + list SAS URL for the container: in Azure a user delegation SAS (Entra ID, no account key)',
    )
    .option(
      '--days <days>',
      `validity, at most ${MAX_USER_DELEGATION_DAYS} (the service limit); decimals allowed`,
      numberArg(0, Infinity),
      7,
    )
    .option('--container <name>', 'the container', 'raw')
    .addOption(accountOption())
    .option('--json', 'print {"url","expiresOn","permissions"} as the last line')
    .action(async (options: SasOptions) => sas(options));

  vendor
    .command('sync')
    .description(
      'download every blob not yet in --dest, verified against its sha256: the first time all of them, then what the confirmation record lists since the last run, however late it landed',
    )
    .requiredOption(
      '--dest <dir>',
      'where files go, under their blob names; the sync state is kept there too',
    )
    .option('--sas-url <url>', 'a container SAS URL (read + list), e.g. from `vendor sas`')
    .addOption(accountOption())
    .option('--connection-string-env <VAR>', 'environment variable holding a connection string (Azurite)')
    .option('--container <name>', 'container, with --account or --connection-string-env', 'raw')
    .option('--device <id>', 'only this device (repeat for more); default: every device', deviceIdsArg)
    .option('--full', 'list every device completely instead of reading the confirmation record')
    .option('--concurrency <n>', 'parallel listings and downloads', integerArg(1, 64), 8)
    .option('--json', 'print {"listed","downloaded","skipped","failed"} as the last line')
    .action(async (options: SyncCliOptions) => {
      const code = await sync(options);
      if (code !== EXIT.ok) process.exitCode = code;
    });

  const [sasCommand, syncCommand] = vendor.commands;
  withExitCodes(sasCommand!, {
    ok: 'the SAS URL was printed',
    failed: 'signing failed (e.g. no role to sign with)',
  });
  withExitCodes(syncCommand!, {
    ok: 'everything listed is here and verified',
    failed: 'a blob failed verification (not placed; report it to the operator)',
    incomplete: 'access or network errors, or another sync holds --dest: run again',
  });
  return vendor;
}
