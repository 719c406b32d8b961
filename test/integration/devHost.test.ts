import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild } from '../../scripts/lib/azurite';
import { certFiles, issueCertificates } from '../../scripts/lib/certs';
import { azuriteConnectionString, describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { untilOutput } from '../helpers/childOutput';
import { StorageInspector } from '../helpers/storageInspector';
import { oilPayload } from '../helpers/testApp';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const bundle = join(root, 'dist', 'main.js');

/** The bundle the Functions host loads (package.json "main"), served by the dev host in its own process. */
describeWithAzurite('the packaged bundle under the dev host (what npm start runs)', () => {
  const { names, env } = uniqueStorageEnv();
  let host: ChildProcess;
  let baseUrl: string;
  let httpsPort: number;
  let demoKey: string;
  let output = '';
  let inspector: StorageInspector;
  const certDir = mkdtempSync(join(tmpdir(), 'ingest-certs-'));

  beforeAll(async () => {
    if (!existsSync(bundle)) execFileSync(tsx, [join(root, 'scripts', 'build', 'bundle.ts')], { cwd: root });
    await issueCertificates(certDir, { dns: ['gateway.example'], ips: ['10.0.0.5'] });
    const port = await freePort();
    httpsPort = await freePort();
    // node --import tsx (not the tsx CLI, which runs a second process) so host.pid is the server's.
    host = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'dev', 'start.ts')], {
      cwd: root,
      env: { ...env, PORT: String(port), HTTPS_PORT: String(httpsPort), DEV_CERT_DIR: certDir },
    });
    const startup = untilOutput(host, 'Ctrl-C to stop.', 25_000);
    host.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    host.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await startup.catch((error: Error) => {
      throw new Error(`dev host did not start: ${error.message}`);
    });
    baseUrl = `http://127.0.0.1:${port}`;
    demoKey = /Authorization: Bearer (\S+)'/.exec(output)![1]!;
    inspector = new StorageInspector(azuriteConnectionString(), names.rawContainer, names.idempotencyTable);
  }, 30_000);

  afterAll(async () => {
    if (host) await stopChild(host);
  });

  test('the bundle registers ingest and health with the expected routes, methods and auth level', () => {
    const listed = JSON.parse(
      execFileSync(tsx, [join(root, 'scripts', 'dev', 'listFunctions.ts'), bundle], {
        cwd: root,
        env,
      }).toString(),
    ) as unknown;
    expect(listed).toEqual({
      // app.setup({ enableHttpStream: true }) ran before the functions registered.
      httpStream: true,
      functions: [
        {
          name: 'ingest',
          methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
          route: 'ingest/{deviceId}',
          authLevel: 'anonymous',
        },
        { name: 'health', methods: ['GET'], route: 'health', authLevel: 'anonymous' },
      ],
    });
  });

  test('prints the URLs and a ready curl example with the demo device key', () => {
    expect(output).toContain(`${baseUrl}/api/ingest/{deviceId}`);
    expect(output).toContain(`https://127.0.0.1:${httpsPort}/api/ingest/{deviceId}`);
    expect(output).toMatch(/curl -i -X POST http:\/\/127\.0\.0\.1:\d+\/api\/ingest\/truck-042/);
    expect(demoKey).toMatch(/^truck-042~[0-9a-f]{8}~[A-Za-z0-9_-]{43}$/);
  });

  test('POST over real HTTP stores the file (socket address as client IP, whatever X-Forwarded-For says), a resend is a duplicate', async () => {
    const body = oilPayload('truck-042');
    const post = () =>
      fetch(`${baseUrl}/api/ingest/truck-042`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${demoKey}`,
          'x-forwarded-for': '198.51.100.66',
        },
        body,
      });
    const anonymous = await fetch(`${baseUrl}/api/ingest/truck-042`, { method: 'POST', body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const first = await post();
    const firstBody = (await first.json()) as { status: string; blob: string };
    expect(first.status).toBe(200);
    expect(firstBody.status).toBe('stored');
    const second = await post();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(((await second.json()) as { status: string }).status).toBe('duplicate');

    expect(await inspector.blobNames('truck-042/')).toEqual([firstBody.blob]);
    const blob = await inspector.blob(firstBody.blob);
    expect(blob.bytes.toString()).toBe(body);
    expect(blob.metadata.clientip).toBe('127.0.0.1');
  });

  test('a ~2 MB body arrives in many chunks and is uploaded from them byte for byte, Content-MD5 checked', async () => {
    // Multi-byte characters all through, so chunk boundaries fall inside some of them.
    const note = '°C 😀 Ölstand '.repeat(200);
    const readings = Array.from({ length: 600 }, (_, i) => ({
      timestamp: new Date(Date.UTC(2026, 10, 25, 8, 0, i)).toISOString(),
      oilTemperatureC: 80 + (i % 10),
      note,
    }));
    const body = Buffer.from(oilPayload('truck-042', { readings, sequence: 99_001 }));
    expect(body.byteLength).toBeGreaterThan(2_000_000);
    const res = await fetch(`${baseUrl}/api/ingest/truck-042`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demoKey}` },
      body,
    });
    const answer = (await res.json()) as { status: string; blob: string; sha256: string };
    expect({ status: res.status, answer: answer.status }).toEqual({ status: 200, answer: 'stored' });
    expect(answer.sha256).toBe(createHash('sha256').update(body).digest('hex'));

    const blob = await inspector.blob(answer.blob);
    expect(blob.bytes.equals(body)).toBe(true);
    // Sent as the request's Content-MD5 (Azurite refuses a mismatch) and stored as the blob's.
    expect(Buffer.from(blob.contentMD5!).equals(createHash('md5').update(body).digest())).toBe(true);
    expect(blob.metadata).toMatchObject({ sizebytes: String(body.byteLength), readings: '600' });
  });

  test('an oversized body without Content-Length is cut off at the cap: 413, memory bounded', async () => {
    const peakRssBytes = () =>
      Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${host.pid}/status`, 'utf8'))![1]) * 1024;
    const before = peakRssBytes();
    const offered = 300 * 1024 * 1024; // 30x MAX_BODY_BYTES (10 MiB by default)
    const { status, body, sent } = await chunkedUpload(`${baseUrl}/api/ingest/truck-042`, offered, {
      'content-type': 'application/json',
      authorization: `Bearer ${demoKey}`,
    });
    const growthMiB = Math.round((peakRssBytes() - before) / 2 ** 20);
    // One comparison, so a failure shows every figure at once.
    expect({ status, body, sentMiB: Math.round(sent / 2 ** 20), growthMiB }).toEqual({
      status: 413,
      body: expect.stringContaining('"payload_too_large"'),
      // The answer came while the upload was still going: the rest was never sent, let alone buffered.
      sentMiB: sent < offered / 2 ? Math.round(sent / 2 ** 20) : 'less than half of what was offered',
      // Buffering the body (what the host does without streaming) would raise the peak by >= 300 MiB.
      growthMiB: growthMiB < 64 ? growthMiB : 'under 64 MiB',
    });
    // The next request on a new connection is served as usual.
    expect((await fetch(`${baseUrl}/api/health`)).status).toBe(200);
  }, 60_000);

  test('repeated Authorization headers are refused as ambiguous', async () => {
    const { status, body } = await rawRequest(`${baseUrl}/api/ingest/truck-042`, [
      ['content-type', 'application/json'],
      ['authorization', `Bearer ${demoKey}`],
      ['authorization', 'Bearer someone-else'],
    ]);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ error: 'ambiguous_credentials' });
  });

  test('routes honour the host.json prefix; unknown routes are 404, health is 200', async () => {
    expect((await fetch(`${baseUrl}/api/health`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/ingest/truck-042`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/nope`)).status).toBe(404);
  });

  test('a percent-encoded slash in the device id is refused, not turned into a path', async () => {
    const res = await fetch(`${baseUrl}/api/ingest/..%2Fraw`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_device_id');
  });

  describe('HTTPS with the generated certificate', () => {
    const get = (options: { servername?: string; ca?: Buffer | null; maxVersion?: 'TLSv1.1' }) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: httpsPort,
            path: '/api/health',
            servername: options.servername,
            ca: options.ca === null ? undefined : (options.ca ?? readFileSync(certFiles(certDir).caCert)),
            maxVersion: options.maxVersion,
            minVersion: options.maxVersion ? 'TLSv1' : undefined,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });

    test('verifies the chain against the local CA and the SAN (DNS name and IP)', async () => {
      expect(await get({ servername: 'gateway.example' })).toBe(200);
      expect(await get({})).toBe(200); // checked against IP:127.0.0.1
    });
    test('refuses a name that is not in the SAN', async () => {
      await expect(get({ servername: 'evil.example' })).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    });
    test('refuses without the CA', async () => {
      await expect(get({ servername: 'gateway.example', ca: null })).rejects.toMatchObject({
        code: expect.stringMatching(/UNABLE_TO_VERIFY|SELF_SIGNED/),
      });
    });
    test('refuses TLS 1.1', async () => {
      await expect(get({ servername: 'gateway.example', maxVersion: 'TLSv1.1' })).rejects.toThrow();
    });
  });

  test('Ctrl-C (SIGINT) stops the host cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => host.once('exit', (code) => resolve(code)));
    host.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopping...');
  });
});

/** Sends up to `total` bytes of JSON-ish filler, chunked, stopping as soon as the answer arrives. */
function chunkedUpload(
  url: string,
  total: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body, sent });
        req.destroy();
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.byteLength;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** One request with headers exactly as given, repeats included (fetch would merge them). */
function rawRequest(
  url: string,
  headers: Array<[string, string]>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const raw = [['host', new URL(url).host], ...headers].flat();
    const req = httpRequest(url, { method: 'POST', headers: raw }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}
