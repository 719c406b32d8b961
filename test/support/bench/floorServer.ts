/**
 * The storage floor: a bare node:http server that does only what storing a file requires, with the
 * app's own SDK clients and retry options (createStorageClients): read the body (gunzip it if it
 * came gzipped, since the JSON is what is stored), put it as a blob with If-None-Match: *, insert one
 * table entry naming it, answer 200. No auth, no parsing, no validation, no hashing, no logging.
 *
 * Run as its own process (`node --import tsx test/support/bench/floorServer.ts`), like the dev host,
 * so both sides of a comparison have a process of their own. Env: DATA_STORAGE_CONNECTION_STRING,
 * PORT, FLOOR_ORDER=parallel (both writes at once) | serial (the entry, then the blob: the order the
 * ingest path must keep) | checked (serial, after the work no ingest that validates and keeps our
 * guarantees can skip: JSON.parse of the text, its SHA-256 (the file's identity) and MD5 (the
 * Content-MD5 Blob Storage checks), both sent with the blob). `checked` is a ceiling: an ingest
 * path does all of that and more, so no change to it can beat that floor's ratio.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isAscii } from 'node:buffer';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { loadConfig } from '../../../shared/config';
import { createStorageClients } from '../../../shared/storage/clients';

const gunzipAsync = promisify(gunzip);
const config = loadConfig();
const { rawContainer, idempotencyTable } = createStorageClients(config);
const order = process.env.FLOOR_ORDER ?? 'parallel';
const serial = order !== 'parallel';
const checked = order === 'checked';

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
  // As the ingest path reads the text (shared/rawBody.ts): an ASCII body is copied, not decoded.
  if (checked) JSON.parse(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8'));
  const md5 = checked ? createHash('md5').update(bytes).digest() : undefined;
  const sha256 = checked ? createHash('sha256').update(bytes).digest('hex') : undefined;
  const putBlob = () =>
    rawContainer.getBlockBlobClient(blobName).upload(bytes, bytes.byteLength, {
      conditions: { ifNoneMatch: '*' },
      transactionalContentMD5: md5,
      blobHTTPHeaders: { blobContentType: 'application/json', blobContentMD5: md5 },
      metadata: sha256 ? { sha256 } : undefined,
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
  console.log(`floor ready on ${(server.address() as AddressInfo).port} (${order})`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
