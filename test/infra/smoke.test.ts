/**
 * scripts/smoke.ts against a local stand-in for the deployed endpoint (loopback only).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmokeFailure, ingestUrl, runSmoke, samplePayload } from '../../scripts/infra/smoke';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function serve(
  handler: Handler,
): Promise<{ baseUrl: string; requests: Recorded[]; close: () => Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
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

/** Behaves like the real endpoint: first key -> stored, same key again -> duplicate, same blob. */
function fakeIngest(): Handler {
  const seen = new Map<string, string>();
  return (req, _body, res) => {
    if (req.headers.authorization !== 'Bearer device-key') return json(res, 401, { error: 'unauthorized' });
    const key = String(req.headers['idempotency-key']);
    const blob = seen.get(key);
    if (blob)
      return json(
        res,
        200,
        { status: 'duplicate', container: 'raw', blob },
        { 'Idempotent-Replayed': 'true' },
      );
    seen.set(key, `truck-042/2026/11/25/${key}.json`);
    return json(res, 200, { status: 'stored', container: 'raw', blob: seen.get(key) });
  };
}

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

  it('passes when the first send is stored and the resend is a duplicate of the same blob', async () => {
    const server = await serve(fakeIngest());
    try {
      const result = await runSmoke({
        baseUrl: server.baseUrl,
        deviceId: 'truck-042',
        key: 'device-key',
        ...quick,
      });
      expect(result.blob).toBe(`truck-042/2026/11/25/${result.idempotencyKey}.json`);
      expect(server.requests).toHaveLength(2);
      const [first, second] = server.requests as [Recorded, Recorded];
      expect(first.method).toBe('POST');
      expect(first.url).toBe('/api/ingest/truck-042');
      expect(first.headers['content-type']).toBe('application/json');
      expect(first.headers.authorization).toBe('Bearer device-key');
      expect(first.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
      expect(second.body).toBe(first.body);
    } finally {
      await server.close();
    }
  });

  it('fails with the status and body when the device is rejected', async () => {
    const server = await serve(fakeIngest());
    try {
      await expect(
        runSmoke({ baseUrl: server.baseUrl, deviceId: 'truck-042', key: 'wrong', ...quick }),
      ).rejects.toThrow(/first request: expected 200 \{"status":"stored"\}, got HTTP 401: .*unauthorized/);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('fails when the resend is stored again instead of deduplicated', async () => {
    let n = 0;
    const server = await serve((_req, _body, res) => {
      n += 1;
      json(res, 200, { status: 'stored', container: 'raw', blob: `blob-${n}` });
    });
    try {
      await expect(
        runSmoke({ baseUrl: server.baseUrl, deviceId: 'truck-042', key: 'k', ...quick }),
      ).rejects.toThrow(/resend: expected 200 \{"status":"duplicate"\}/);
    } finally {
      await server.close();
    }
  });

  it('fails when the duplicate names another blob', async () => {
    let n = 0;
    const server = await serve((_req, _body, res) => {
      n += 1;
      json(res, 200, { status: n === 1 ? 'stored' : 'duplicate', container: 'raw', blob: `blob-${n}` });
    });
    try {
      const error = await runSmoke({ baseUrl: server.baseUrl, deviceId: 'd', key: 'k', ...quick }).catch(
        (e) => e,
      );
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
      await runSmoke({ baseUrl: server.baseUrl, deviceId: 'truck-042', key: 'device-key', ...quick });
      expect(server.requests).toHaveLength(3);
      const keys = new Set(server.requests.map((r) => r.headers['idempotency-key']));
      expect(keys.size).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('gives up after the configured attempts when the service keeps failing', async () => {
    const server = await serve((_req, _body, res) => json(res, 503, { error: 'storage_unavailable' }));
    try {
      await expect(runSmoke({ baseUrl: server.baseUrl, deviceId: 'd', key: 'k', ...quick })).rejects.toThrow(
        /HTTP 503/,
      );
      expect(server.requests).toHaveLength(quick.attempts);
    } finally {
      await server.close();
    }
  });
});
