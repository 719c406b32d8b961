import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, ContainerClient, type RestError } from '@azure/storage-blob';
import { createContainerSas, sasKindFor } from '../../scripts/ops/handoff/containerSas';
import { azuriteConnectionString, describeWithAzurite } from '../helpers/azurite';
import { describeNeeding } from '../helpers/ci';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';
import {
  canTrustTestCa,
  fakeEntraCredential,
  type OAuthAzurite,
  startOAuthAzurite,
} from '../support/oauthAzurite';
import { filesUnder, runVendor } from '../support/vendorCli';

const DAY_MS = 86_400_000;

/** Whether the installed Azurite is older than `version` (x.y.z). */
function azuriteBefore(version: string): boolean {
  const { version: current } = JSON.parse(readFileSync(require.resolve('azurite/package.json'), 'utf8'));
  const installed = (current as string).split('.').map(Number);
  const wanted = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (installed[i] !== wanted[i]) return installed[i]! < wanted[i]!;
  return false;
}

/** The HTTP status a storage call failed with (undefined: it did not fail). */
async function statusOf(call: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    return (err as RestError).statusCode;
  }
}

/**
 * `npm run vendor -- sas` against Azurite. Azurite here runs without OAuth, so the command signs a
 * service SAS with the well-known development key (and says so); the permissions, the expiry and
 * the refusals below are the same for the user delegation SAS it signs in Azure.
 */
describeWithAzurite('vendor sas', () => {
  let app: TestApp;
  let blobName: string;
  const body = oilPayload('truck-sas');
  const env = { ...process.env, DATA_STORAGE_CONNECTION_STRING: azuriteConnectionString() };
  const direct = () =>
    BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
      app.runtime.config.rawContainer,
    );
  /** A SAS URL as the command prints it. */
  const sasFromCli = async (...args: string[]) => {
    const run = await runVendor(
      ['sas', '--container', app.runtime.config.rawContainer, '--json', ...args],
      env,
    );
    expect(run.code).toBe(0);
    return { run, ...run.json<{ url: string; expiresOn: string; permissions: string }>() };
  };

  beforeAll(async () => {
    app = await createTestApp();
    const answer = await app.post('truck-sas', body);
    expect(answer.status).toBe(200);
    blobName = answer.body.blob as string;
  });

  test('prints a read + list URL valid for 7 days; listing and download work with it', async () => {
    const before = Date.now();
    const { run, url, expiresOn, permissions } = await sasFromCli();
    expect(permissions).toBe('rl');
    expect(Date.parse(expiresOn)).toBeGreaterThan(before + 7 * DAY_MS - 5 * 60_000);
    expect(Date.parse(expiresOn)).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    const sas = new URL(url).searchParams;
    expect(sas.get('sp')).toBe('rl');
    expect(sas.get('sr')).toBe('c');
    expect(new URL(url).pathname).toBe(`/devstoreaccount1/${app.runtime.config.rawContainer}`);
    // Azurite: the command says which kind it signed, and why.
    expect(run.stderr).toMatch(/SERVICE SAS with the account key/);
    expect(run.stderr).toMatch(/--oauth basic over HTTPS/);

    const vendor = new ContainerClient(url);
    const names: string[] = [];
    for await (const blob of vendor.listBlobsFlat({ includeMetadata: true })) names.push(blob.name);
    expect(names).toEqual([blobName]);
    const download = await vendor.getBlobClient(blobName).downloadToBuffer();
    expect(download.toString()).toBe(body);
  });

  test('writes, deletes and changes are refused with it', async () => {
    const { url } = await sasFromCli();
    const vendor = new ContainerClient(url);
    const blob = vendor.getBlockBlobClient(blobName);
    expect(await statusOf(() => vendor.getBlockBlobClient('truck-sas/x.json').upload('{}', 2))).toBe(403);
    expect(await statusOf(() => blob.upload('{}', 2))).toBe(403);
    expect(await statusOf(() => blob.delete())).toBe(403);
    expect(await statusOf(() => blob.setMetadata({ sha256: '0'.repeat(64) }))).toBe(403);
    expect(await statusOf(() => blob.setAccessTier('Cool'))).toBe(403);
    expect(await statusOf(() => vendor.delete())).toBe(403);
    // Nothing changed.
    expect((await direct().getBlobClient(blobName).downloadToBuffer()).toString()).toBe(body);
    expect(await app.inspector.blobNames()).toEqual([blobName]);
  });

  test('an expired SAS is refused', async () => {
    const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    const current = await createContainerSas(service, app.runtime.config.rawContainer, 1);
    expect(await statusOf(() => new ContainerClient(current.url).listBlobsFlat().next())).toBeUndefined();
    const eightDaysAgo = new Date(Date.now() - 8 * DAY_MS);
    const { url, expiresOn } = await createContainerSas(service, app.runtime.config.rawContainer, 1, {
      now: eightDaysAgo,
    });
    expect(expiresOn.getTime()).toBeLessThan(Date.now());
    const vendor = new ContainerClient(url);
    expect(await statusOf(() => vendor.listBlobsFlat().next())).toBe(403);
    expect(await statusOf(() => vendor.getBlobClient(blobName).downloadToBuffer())).toBe(403);
  });

  test('a tampered SAS is refused: signature, permissions, expiry, container', async () => {
    const { url } = await sasFromCli();
    const tamper = (change: (u: URL) => void) => {
      const u = new URL(url);
      change(u);
      return new ContainerClient(u.toString());
    };
    const forged = [
      tamper((u) => u.searchParams.set('sig', 'A' + u.searchParams.get('sig')!.slice(1))),
      tamper((u) => u.searchParams.set('sp', 'racwdl')),
      tamper((u) => u.searchParams.set('se', new Date(Date.now() + 365 * DAY_MS).toISOString())),
      tamper((u) => (u.pathname = u.pathname.replace(/[^/]+$/, 'devices'))),
    ];
    for (const vendor of forged) {
      expect(await statusOf(() => vendor.listBlobsFlat().next())).toBe(403);
    }
    // The forged write permission does not make a write work either.
    expect(await statusOf(() => forged[1]!.getBlockBlobClient('truck-sas/y.json').upload('{}', 2))).toBe(403);
  });

  test('more than 7 days is refused with the reason, and nothing is printed on stdout', async () => {
    const run = await runVendor(['sas', '--container', app.runtime.config.rawContainer, '--days', '8'], env);
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/at most 7 days/);
    expect(run.stdout).toBe('');
  });

  test('the vendor syncs with the printed URL', async () => {
    const { url } = await sasFromCli('--days', '1');
    const dest = mkdtempSync(join(tmpdir(), 'vendor-sas-'));
    try {
      const run = await runVendor(['sync', '--dest', dest, '--sas-url', url, '--json'], env);
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ listed: 1, downloaded: 1, skipped: 0, failed: 0 });
      expect(filesUnder(dest)).toEqual([blobName]);
      expect(readFileSync(join(dest, blobName), 'utf8')).toBe(body);
      expect(run.stderr).not.toContain(new URL(url).searchParams.get('sig')!);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * The Entra ID path, as in Azure: a user delegation key requested with a bearer token, the SAS
 * signed with it, no account key anywhere. Azurite serves user delegation keys only with OAuth on,
 * which it allows only over HTTPS, so this runs against a second Azurite started that way.
 */
const describeWithTrustedCa = describeNeeding(
  'a Node that can trust a CA at run time (22.19+, tls.setDefaultCACertificates)',
  () => (canTrustTestCa ? undefined : `this is Node ${process.version}`),
  describeWithAzurite,
);

describeWithTrustedCa('vendor sas with Entra ID: a user delegation SAS', () => {
  const oid = '11111111-2222-3333-4444-555555555555';
  const tid = '66666666-7777-8888-9999-000000000000';
  const name = 'truck-042/2026/11/25/081502000Z_0123456789abcdef.json';
  const body = oilPayload('truck-042');
  let azurite: OAuthAzurite;
  let certDir: string;
  let service: BlobServiceClient;
  // Azurite before 3.37 checks user delegation signatures in the 2025-07-05 format; the SDK signs in
  // its newest (2026-04-06 added fields). Azure accepts both, so an older Azurite gets the older one.
  const sasVersion = azuriteBefore('3.37.0') ? '2025-07-05' : undefined;
  const udSas = (days: number) => createContainerSas(service, 'raw', days, { sasVersion });

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'vendor-oauth-'));
    azurite = await startOAuthAzurite(certDir);
    service = new BlobServiceClient(azurite.blobEndpoint, fakeEntraCredential(oid, tid));
    await service.getContainerClient('raw').create();
    await service
      .getContainerClient('raw')
      .getBlockBlobClient(name)
      .upload(body, body.length, { metadata: { sha256: createHash('sha256').update(body).digest('hex') } });
  }, 60_000);
  afterAll(async () => {
    await azurite?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  test('signed with a delegation key for the signed-in principal; read + list only, HTTPS only', async () => {
    expect(sasKindFor(service)).toBe('user-delegation');
    const sas = await udSas(7);
    const params = new URL(sas.url).searchParams;
    expect({ skoid: params.get('skoid'), sktid: params.get('sktid') }).toEqual({ skoid: oid, sktid: tid });
    expect({ sp: params.get('sp'), sr: params.get('sr'), spr: params.get('spr') }).toEqual({
      sp: 'rl',
      sr: 'c',
      spr: 'https',
    });
    expect(Date.parse(params.get('ske')!)).toBe(sas.expiresOn.getTime());

    const vendor = new ContainerClient(sas.url);
    const names: string[] = [];
    for await (const blob of vendor.listBlobsFlat()) names.push(blob.name);
    expect(names).toEqual([name]);
    expect((await vendor.getBlobClient(name).downloadToBuffer()).toString()).toBe(body);
    expect(await statusOf(() => vendor.getBlockBlobClient('truck-042/x.json').upload('{}', 2))).toBe(403);
    expect(await statusOf(() => vendor.getBlobClient(name).delete())).toBe(403);

    const forged = new URL(sas.url);
    forged.searchParams.set('sp', 'rwdl');
    const escalated = new ContainerClient(forged.toString());
    expect(await statusOf(() => escalated.getBlobClient(name).delete())).toBe(403);
  });

  test('the vendor syncs over HTTPS with it', async () => {
    const { url } = await udSas(1);
    const dest = mkdtempSync(join(tmpdir(), 'vendor-ud-'));
    try {
      const run = await runVendor(['sync', '--dest', dest, '--sas-url', url, '--json'], {
        ...process.env,
        NODE_EXTRA_CA_CERTS: join(certDir, 'ca.crt'),
      });
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ listed: 1, downloaded: 1, skipped: 0, failed: 0 });
      expect(readFileSync(join(dest, name), 'utf8')).toBe(body);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  }, 60_000);

  test('more than 7 days is refused before a key is requested', async () => {
    await expect(udSas(8)).rejects.toThrow(/at most 7/);
    await expect(udSas(7.5)).rejects.toThrow(/at most 7/);
  });
});
