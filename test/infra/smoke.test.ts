/**
 * scripts/smoke.ts against a local stand-in for the deployed endpoint (loopback only), with the
 * blob read-back injected (downloadBlob) so no Azure is needed.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  type DownloadBlob,
  SmokeFailure,
  ingestUrl,
  parseSmokeArguments,
  runSmoke,
  samplePayload,
} from '../../scripts/infra/smoke';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  bytes: Buffer;
}

async function serve(
  handler: Handler,
): Promise<{ baseUrl: string; requests: Recorded[]; close: () => Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const body = bytes.toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, bytes });
      handler(req, bytes, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Behaves like the real endpoint: gzip bodies are decompressed, a byte-order mark is 400
 * invalid_json, the first request with a key is stored (its bytes kept in `blobs`, `sha256` of the
 * decompressed bytes), the same key again is a duplicate naming the same blob.
 */
function fakeIngest(blobs = new Map<string, Buffer>()): Handler & { blobs: Map<string, Buffer> } {
  const seen = new Map<string, { blob: string; sha256: string }>();
  const handler: Handler = (req, raw, res) => {
    if (req.headers.authorization !== 'Bearer device-key') return json(res, 401, { error: 'unauthorized' });
    const bytes = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
      return json(res, 400, { error: 'invalid_json', message: 'The body starts with a byte-order mark.' });
    const key = String(req.headers['idempotency-key']);
    const known = seen.get(key);
    if (known)
      return json(
        res,
        200,
        { status: 'duplicate', container: 'raw', ...known },
        { 'Idempotent-Replayed': 'true' },
      );
    const stored = { blob: `truck-042/2026/11/25/${key}.json`, sha256: sha256(bytes) };
    seen.set(key, stored);
    blobs.set(`raw/${stored.blob}`, bytes);
    return json(res, 200, { status: 'stored', container: 'raw', ...stored });
  };
  return Object.assign(handler, { blobs });
}

/** downloadBlob reading the stand-in's stored bytes. */
const from =
  (blobs: Map<string, Buffer>): DownloadBlob =>
  async (container, name) => {
    const bytes = blobs.get(`${container}/${name}`);
    if (!bytes) throw new Error(`BlobNotFound: ${container}/${name}`);
    return bytes;
  };

const quick = { attempts: 3, retryDelayMs: 1, sleep: () => Promise.resolve(), timeoutMs: 5_000 };

describe('scripts/smoke.ts', () => {
  it('builds the ingest URL from a base URL or the INGEST_ENDPOINT template', () => {
    expect(ingestUrl('https://func.example.net', 'truck-042')).toBe(
      'https://func.example.net/api/ingest/truck-042',
    );
    expect(ingestUrl('https://func.example.net/', 'a b')).toBe('https://func.example.net/api/ingest/a%20b');
    expect(ingestUrl('https://func.example.net/api/ingest/{deviceId}', 'truck-042')).toBe(
      'https://func.example.net/api/ingest/truck-042',
    );
  });

  it('sends a realistic oil-condition upload', () => {
    const payload = samplePayload('truck-042', new Date('2026-11-25T08:15:00Z')) as {
      deviceId: string;
      sentAt: string;
      readings: Array<Record<string, unknown>>;
    };
    expect(payload.deviceId).toBe('truck-042');
    expect(payload.sentAt).toBe('2026-11-25T08:15:00.000Z');
    expect(payload.readings.length).toBeGreaterThan(0);
    for (const r of payload.readings) {
      expect(Object.keys(r).sort()).toEqual(['densityKgM3', 'oilTemperatureC', 'timestamp', 'viscosityCSt']);
    }
  });

  it('passes: stored, resend deduplicated, gzip stored, BOM refused, stored blob matches its sha256', async () => {
    const ingest = fakeIngest();
    const server = await serve(ingest);
    const downloads: string[] = [];
    try {
      const result = await runSmoke({
        baseUrl: server.baseUrl,
        deviceId: 'truck-042',
        key: 'device-key',
        downloadBlob: (container, name) => {
          downloads.push(`${container}/${name}`);
          return from(ingest.blobs)(container, name);
        },
        ...quick,
      });
      expect(result.blob).toBe(`truck-042/2026/11/25/${result.idempotencyKey}.json`);
      expect(server.requests).toHaveLength(4);
      const [first, second, zipped, bom] = server.requests as [Recorded, Recorded, Recorded, Recorded];
      expect(first.method).toBe('POST');
      expect(first.url).toBe('/api/ingest/truck-042');
      expect(first.headers['content-type']).toBe('application/json');
      expect(first.headers.authorization).toBe('Bearer device-key');
      expect(first.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      expect(first.headers['content-encoding']).toBeUndefined();
      expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
      expect(second.body).toBe(first.body);
      expect(result.sha256).toBe(sha256(first.bytes));

      // (a) gzip: a fresh key, really compressed, stored under its own blob.
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers['content-type']).toBe('application/json');
      expect(zipped.headers['idempotency-key']).not.toBe(first.headers['idempotency-key']);
      expect(zipped.bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(JSON.parse(gunzipSync(zipped.bytes).toString('utf8'))).toMatchObject({ deviceId: 'truck-042' });
      expect(result.gzipBlob).toBe(`truck-042/2026/11/25/${String(zipped.headers['idempotency-key'])}.json`);

      // (b) a UTF-8 byte-order mark in front of an otherwise valid upload.
      expect(bom.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(bom.bytes.subarray(3).toString('utf8')).toBe(first.body);
      expect(bom.headers['content-encoding']).toBeUndefined();

      // (c) the first upload's blob was read back.
      expect(downloads).toEqual([`raw/${result.blob}`]);
    } finally {
      await server.close();
    }
  });

  it('fails when the stored blob does not hash to the answer’s sha256', async () => {
    const ingest = fakeIngest();
    const server = await serve(ingest);
    try {
      const error = await runSmoke({
        baseUrl: server.baseUrl,
        deviceId: 'truck-042',
        key: 'device-key',
        downloadBlob: async (container, name) =>
          Buffer.concat([await from(ingest.blobs)(container, name), Buffer.from(' ')]),
        ...quick,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmokeFailure);
      expect((error as Error).message).toMatch(
        /^stored blob raw\/truck-042\/\S+\.json: SHA-256 [0-9a-f]{64} \(\d+ bytes\), but the answer said [0-9a-f]{64}$/,
      );
    } finally {
      await server.close();
    }
  });

  it('retries the download (role assignments take a while), then fails saying why', async () => {
    const ingest = fakeIngest();
    const server = await serve(ingest);
    let calls = 0;
    try {
      const ok = await runSmoke({
        baseUrl: server.baseUrl,
        deviceId: 'truck-042',
        key: 'device-key',
        downloadBlob: (container, name) => {
          calls += 1;
          if (calls === 1) return Promise.reject(new Error('AuthorizationPermissionMismatch'));
          return from(ingest.blobs)(container, name);
        },
        ...quick,
      });
      expect(calls).toBe(2);
      expect(ok.sha256).toMatch(/^[0-9a-f]{64}$/);

      calls = 0;
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'device-key',
          downloadBlob: () => {
            calls += 1;
            return Promise.reject(new Error('AuthorizationPermissionMismatch'));
          },
          ...quick,
        }),
      ).rejects.toThrow(/reading back raw\/\S+ failed after 3 attempt\(s\): AuthorizationPermissionMismatch/);
      expect(calls).toBe(quick.attempts);
    } finally {
      await server.close();
    }
  });

  it('fails when the gzip upload is not decompressed before hashing', async () => {
    const ingest = fakeIngest();
    const server = await serve((req, body, res) => {
      if (req.headers['content-encoding'] !== 'gzip') return ingest(req, body, res);
      // An endpoint that stored the compressed bytes as they came.
      json(res, 200, { status: 'stored', container: 'raw', blob: 'zipped.json', sha256: sha256(body) });
    });
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'device-key',
          downloadBlob: from(ingest.blobs),
          ...quick,
        }),
      ).rejects.toThrow(
        /^gzip upload: expected sha256 [0-9a-f]{64} \(of the uncompressed bytes\), got [0-9a-f]{64}$/,
      );
    } finally {
      await server.close();
    }
  });

  it('fails when the gzip upload is refused', async () => {
    const ingest = fakeIngest();
    const server = await serve((req, body, res) => {
      if (req.headers['content-encoding'] === 'gzip')
        return json(res, 415, { error: 'unsupported_content_encoding' });
      return ingest(req, body, res);
    });
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'device-key',
          downloadBlob: from(ingest.blobs),
          ...quick,
        }),
      ).rejects.toThrow(
        /gzip upload: expected 200 \{"status":"stored"\}, got HTTP 415: .*unsupported_content_encoding/,
      );
    } finally {
      await server.close();
    }
  });

  it('fails when a body with a byte-order mark is accepted', async () => {
    const ingest = fakeIngest();
    const server = await serve((req, body, res) => {
      const withoutBom = body[0] === 0xef ? body.subarray(3) : body;
      return ingest(req, withoutBom, res);
    });
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'device-key',
          downloadBlob: from(ingest.blobs),
          ...quick,
        }),
      ).rejects.toThrow(
        /byte-order mark upload: expected 400 \{"error":"invalid_json"\}, got HTTP 200: .*stored/,
      );
    } finally {
      await server.close();
    }
  });

  it('fails when the first answer’s sha256 is not that of the bytes sent', async () => {
    const server = await serve((_req, _body, res) =>
      json(res, 200, { status: 'stored', container: 'raw', blob: 'b.json', sha256: sha256('other') }),
    );
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'd',
          key: 'k',
          downloadBlob: from(new Map()),
          ...quick,
        }),
      ).rejects.toThrow(
        /^first request: expected sha256 [0-9a-f]{64} \(of the bytes sent\), got [0-9a-f]{64}$/,
      );
    } finally {
      await server.close();
    }
  });

  it('fails when the answers name another container than --container', async () => {
    const ingest = fakeIngest();
    const server = await serve(ingest);
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'device-key',
          container: 'telemetry',
          downloadBlob: from(ingest.blobs),
          ...quick,
        }),
      ).rejects.toThrow('first request: expected container telemetry, got raw');
    } finally {
      await server.close();
    }
  });

  it('fails with the status and body when the device is rejected', async () => {
    const server = await serve(fakeIngest());
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'wrong',
          downloadBlob: from(new Map()),
          ...quick,
        }),
      ).rejects.toThrow(/first request: expected 200 \{"status":"stored"\}, got HTTP 401: .*unauthorized/);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('fails when the resend is stored again instead of deduplicated', async () => {
    let n = 0;
    const server = await serve((_req, body, res) => {
      n += 1;
      json(res, 200, { status: 'stored', container: 'raw', blob: `blob-${n}`, sha256: sha256(body) });
    });
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'truck-042',
          key: 'k',
          downloadBlob: from(new Map()),
          ...quick,
        }),
      ).rejects.toThrow(/resend: expected 200 \{"status":"duplicate"\}/);
    } finally {
      await server.close();
    }
  });

  it('fails when the duplicate names another blob', async () => {
    let n = 0;
    const server = await serve((_req, body, res) => {
      n += 1;
      json(res, 200, {
        status: n === 1 ? 'stored' : 'duplicate',
        container: 'raw',
        blob: `blob-${n}`,
        sha256: sha256(body),
      });
    });
    try {
      const error = await runSmoke({
        baseUrl: server.baseUrl,
        deviceId: 'd',
        key: 'k',
        downloadBlob: from(new Map()),
        ...quick,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmokeFailure);
      expect((error as Error).message).toMatch(/expected the same blob raw\/blob-1, got raw\/blob-2/);
    } finally {
      await server.close();
    }
  });

  it('retries the first send on 503 (same key), then succeeds', async () => {
    const ingest = fakeIngest();
    let calls = 0;
    const server = await serve((req, body, res) => {
      calls += 1;
      if (calls === 1) return json(res, 503, { error: 'storage_unavailable' }, { 'Retry-After': '0' });
      return ingest(req, body, res);
    });
    try {
      await runSmoke({
        baseUrl: server.baseUrl,
        deviceId: 'truck-042',
        key: 'device-key',
        downloadBlob: from(ingest.blobs),
        ...quick,
      });
      expect(server.requests).toHaveLength(5);
      const keys = new Set(server.requests.slice(0, 3).map((r) => r.headers['idempotency-key']));
      expect(keys.size).toBe(1);
      expect(ingest.blobs.size).toBe(2); // the first upload once, the gzip upload once
    } finally {
      await server.close();
    }
  });

  it('gives up after the configured attempts when the service keeps failing', async () => {
    const server = await serve((_req, _body, res) => json(res, 503, { error: 'storage_unavailable' }));
    try {
      await expect(
        runSmoke({
          baseUrl: server.baseUrl,
          deviceId: 'd',
          key: 'k',
          downloadBlob: from(new Map()),
          ...quick,
        }),
      ).rejects.toThrow(/HTTP 503/);
      expect(server.requests).toHaveLength(quick.attempts);
    } finally {
      await server.close();
    }
  });

  it('refuses to start without a way to read the blob back, before sending anything', async () => {
    const server = await serve(fakeIngest());
    try {
      await expect(
        runSmoke({ baseUrl: server.baseUrl, deviceId: 'truck-042', key: 'device-key', ...quick }),
      ).rejects.toThrow(/no data storage account .*--blob-endpoint/);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  describe('command line', () => {
    const positional = ['https://func.example.net', 'truck-042', 'truck-042~0a1b2c3d~secret'];

    // The endpoint comes from the deployment (azd output), whatever cloud it is in: no host is assumed.
    const endpoint = 'https://stdata01.blob.core.usgovcloudapi.net/';

    it('takes --blob-endpoint and --container', () => {
      expect(
        parseSmokeArguments([...positional, '--blob-endpoint', endpoint, '--container=raw'], {}),
      ).toEqual({
        baseUrl: 'https://func.example.net',
        deviceId: 'truck-042',
        key: 'truck-042~0a1b2c3d~secret',
        blobEndpoint: endpoint,
        container: 'raw',
      });
    });

    it('falls back to DATA_STORAGE_BLOB_ENDPOINT and RAW_CONTAINER (azd env get-values)', () => {
      const env = { DATA_STORAGE_BLOB_ENDPOINT: endpoint, RAW_CONTAINER: 'raw' };
      expect(parseSmokeArguments(positional, env)).toMatchObject({
        blobEndpoint: endpoint,
        container: 'raw',
      });
      expect(
        parseSmokeArguments(['--blob-endpoint', 'https://starg01.blob.core.windows.net', ...positional], env),
      ).toMatchObject({ blobEndpoint: 'https://starg01.blob.core.windows.net' });
    });

    it.each([
      [[...positional], { DATA_STORAGE_ACCOUNT_NAME: 'stdata01' }, /--blob-endpoint/],
      [
        [...positional, '--blob-endpoint', 'http://stdata01.blob.core.windows.net'],
        {},
        /not an https blob endpoint/,
      ],
      [positional.slice(0, 2), { DATA_STORAGE_BLOB_ENDPOINT: endpoint }, /<baseUrl> <deviceId> <key>/],
      [[...positional, 'extra'], { DATA_STORAGE_BLOB_ENDPOINT: endpoint }, /unexpected argument "extra"/],
      [[...positional, '--account', 'x'], { DATA_STORAGE_BLOB_ENDPOINT: endpoint }, /account/],
    ])('%j with %j is a usage error', (argv, env, message) => {
      const parsed = parseSmokeArguments(argv, env);
      expect(typeof parsed).toBe('string');
      expect(parsed).toMatch(message);
    });
  });
});
