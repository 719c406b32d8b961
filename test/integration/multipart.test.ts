import { gzipSync } from 'node:zlib';
import { describeWithAzurite } from '../helpers/azurite';
import { type ServedApp, serveOverHttp } from '../helpers/devHostApp';
import { FORM_CONTENT_TYPE, fieldPart, filePart, multipartBody } from '../helpers/multipartForm';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

/** Gateways whose HTTP client can only upload a file as a form: the file part is what is stored. */
describeWithAzurite('multipart/form-data uploads', () => {
  let app: TestApp;
  let served: ServedApp;
  beforeAll(async () => {
    app = await createTestApp({ MAX_BODY_BYTES: '65536' });
    served = await serveOverHttp(app);
  });
  afterAll(() => served.close());

  const form = { 'content-type': FORM_CONTENT_TYPE };

  test('the file part is stored byte-identical, with the same name and key as the raw upload would get', async () => {
    // CRLFs and a boundary look-alike inside the file must survive exactly.
    const file = oilPayload('truck-mp1', { firmware: '2.4.1\r\n--gw-7MA4' }).replace(',', ',\r\n');
    const res = await app.post(
      'truck-mp1',
      multipartBody([fieldPart('gateway', 'gw-7'), filePart(file)]),
      form,
    );
    expect(res).toMatchObject({ status: 200, body: { status: 'stored', size: Buffer.byteLength(file) } });
    expect((await app.inspector.blob(res.body.blob as string)).bytes.toString()).toBe(file);
    // The same file sent raw is the same file: a duplicate.
    expect((await app.post('truck-mp1', file)).body.status).toBe('duplicate');
  });

  test('a gzipped form works too; the file part is stored decompressed', async () => {
    const file = oilPayload('truck-mp2');
    const res = await app.post('truck-mp2', gzipSync(multipartBody([filePart(file)])), {
      ...form,
      'content-encoding': 'gzip',
    });
    expect(res).toMatchObject({ status: 200, body: { status: 'stored' } });
    expect((await app.inspector.blob(res.body.blob as string)).bytes.toString()).toBe(file);
  });

  test.each([
    [
      'two files',
      [filePart('{}'), filePart('{}', { name: 'second' })],
      'multipart_too_many_files',
      'more than one file part',
    ],
    ['no file', [fieldPart('data', '{"a":1}')], 'multipart_no_file', 'no file part'],
    [
      'a non-JSON file part',
      [filePart('{}', { type: 'text/csv' })],
      'multipart_file_not_json',
      '"text/csv", not application/json',
    ],
  ])('%s: 400 with its own message, nothing written', async (_name, parts, error, says) => {
    const before = await app.inspector.counts();
    const res = await app.post('truck-mp3', multipartBody(parts), form);
    expect(res).toMatchObject({ status: 400, body: { error, message: expect.stringContaining(says) } });
    expect(res.body.message).toContain('exactly one file part holding the JSON');
    expect(await app.inspector.counts()).toEqual(before);
  });

  test('a file part over MAX_BODY_BYTES is 413, nothing written', async () => {
    const before = await app.inspector.counts();
    const res = await app.post('truck-mp4', multipartBody([filePart(`{"n":"${'x'.repeat(65_536)}"}`)]), form);
    expect(res).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(await app.inspector.counts()).toEqual(before);
  });

  test("over real HTTP, a standard client's form (fetch FormData, as curl -F) is stored byte-identical", async () => {
    const file = oilPayload('truck-mp5');
    const body = new FormData();
    body.append('note', 'sent by fetch');
    body.append('file', new Blob([file], { type: 'application/json' }), 'reading.json');
    const key = await app.keyFor('truck-mp5');
    const res = await fetch(`${served.ingestUrl}/truck-mp5`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body,
    });
    const answer = (await res.json()) as { status: string; blob: string };
    expect({ status: res.status, stored: answer.status }).toEqual({ status: 200, stored: 'stored' });
    expect((await app.inspector.blob(answer.blob)).bytes.toString()).toBe(file);
  });
});
