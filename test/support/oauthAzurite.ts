/**
 * A second, blob-only Azurite with OAuth on (`--oauth basic`, which Azurite allows only over HTTPS):
 * the one setting in which Azurite issues user delegation keys, so the Entra ID path of
 * `vendor sas` runs for real. Basic OAuth checks a bearer token's issuer, audience and lifetime but
 * not its signature, so a hand-made token stands in for an Entra ID sign-in.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { freePort, isPortOpen, stopChild } from '../../scripts/lib/azurite';
import { issueCertificates } from '../../scripts/lib/certs';

export interface OAuthAzurite {
  blobEndpoint: string;
  /** Its certificate's CA, trusted by this process until `stop()` (TLS checks stay on). */
  ca: string;
  stop(): Promise<void>;
}

export async function startOAuthAzurite(certDir: string): Promise<OAuthAzurite> {
  const { files } = await issueCertificates(certDir, { dns: [], ips: [] });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      require.resolve('azurite/dist/src/blob/main.js'),
      ...['--blobHost', '127.0.0.1', '--blobPort', String(port)],
      ...['--oauth', 'basic', '--cert', files.serverCert, '--key', files.serverKey],
      ...['--inMemoryPersistence', '--skipApiVersionCheck', '--disableProductStyleUrl', '--silent'],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const deadline = Date.now() + 30_000;
  while (!(await isPortOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the OAuth Azurite did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ca = readFileSync(files.caCert, 'utf8');
  // The SDK builds its own HTTPS agents, so the CA is added to the process's default CAs.
  const defaults = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...defaults, ca]);
  return {
    blobEndpoint: `https://127.0.0.1:${port}/devstoreaccount1`,
    ca,
    stop: async () => {
      tls.setDefaultCACertificates(defaults);
      await stopChild(child);
    },
  };
}

/** Whether this Node can add a CA at run time (22.19+); otherwise the suite is skipped. */
export const canTrustTestCa = typeof tls.setDefaultCACertificates === 'function';

/** A token shaped like Entra ID's for Azure Storage, for the principal `oid` in tenant `tid`. */
export function fakeEntraCredential(oid: string, tid: string): TokenCredential {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    getToken: async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${tid}/`, oid, tid };
      const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ ...claims, iat: now - 60, nbf: now - 60, exp: now + 3600 })}.unsigned`;
      return { token, expiresOnTimestamp: (now + 3600) * 1000 };
    },
  };
}
