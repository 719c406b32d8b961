/**
 * The storage floor: a bare node:http server that does only what storing a file requires, with the
 * app's own SDK clients and retry options (createStorageClients): read the body (gunzip it if it
 * came gzipped, since the JSON is what is stored), put it as a blob with If-None-Match: *, insert one
 * table entry naming it, answer 200. No auth, no parsing, no validation, no hashing, no logging.
 *
 * Run as its own process (`node --import tsx test/support/bench/floorServer.ts`), like the dev host,
 * so both sides of a comparison have a process of their own. Env: DATA_STORAGE_CONNECTION_STRING,
 * PORT, FLOOR_ORDER=parallel (both writes at once) | serial (the entry, then the blob: the order the
 * ingest path must keep).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { loadConfig } from '../../../shared/config';
import { createStorageClients } from '../../../shared/storage/clients';

const gunzipAsync = promisify(gunzip);
const config = loadConfig();
const { rawContainer, idempotencyTable } = createStorageClients(config);
const serial = process.env.FLOOR_ORDER === 'serial';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function store(req: IncomingMessage): Promise<void> {
  const received = await readBody(req);
  const bytes = req.headers['content-encoding'] === 'gzip' ? await gunzipAsync(received) : received;
  const deviceId = decodeURIComponent(req.url?.split('/').pop() ?? 'unknown');
  const id = randomUUID();
  const blobName = `${deviceId}/${id}.json`;
  const putBlob = () =>
    rawContainer.getBlockBlobClient(blobName).upload(bytes, bytes.byteLength, {
      conditions: { ifNoneMatch: '*' },
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  const insertEntry = () => idempotencyTable.createEntity({ partitionKey: deviceId, rowKey: id, blobName });
  if (serial) {
    await insertEntry();
    await putBlob();
  } else {
    await Promise.all([insertEntry(), putBlob()]);
  }
}

const server = createServer((req, res) => {
  store(req).then(
    () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"stored"}'),
    (err: unknown) => {
      console.error(`floor: ${(err as Error).message}`);
      res.writeHead(503).end();
    },
  );
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`floor ready on ${(server.address() as AddressInfo).port} (${serial ? 'serial' : 'parallel'})`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
