import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort } from '../../scripts/lib/azurite';
import { describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { HostProcess } from '../support/simulator/processes';

/** HOST moves the dev host's listeners (for a gateway on the LAN); loopback stays the default. */
describeWithAzurite('the dev host bind address', () => {
  const { env } = uniqueStorageEnv();
  let host: HostProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bind-'));
    // 127.0.0.2 is loopback too on Linux, but not the default address: proof HOST was applied.
    host = new HostProcess({
      root: join(__dirname, '..', '..'),
      port,
      logFile: join(dir, 'host.log'),
      env: {
        ...(env as Record<string, string>),
        HOST: '127.0.0.2',
        HTTPS_PORT: String(await freePort()),
        DEV_CERT_DIR: join(dir, 'none'),
      },
    });
    await host.start();
  }, 60_000);
  afterAll(() => host?.stop());

  test('HOST=127.0.0.2 serves there and not on 127.0.0.1', async () => {
    expect((await fetch(`http://127.0.0.2:${port}/api/health`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });
});
