import { RawBody } from '../../shared/rawBody';
import { fileFromMultipart } from '../../shared/multipartBody';
import { checkContentType } from '../../shared/requestBody';
import {
  FORM_CONTENT_TYPE,
  type FormPart,
  fieldPart,
  filePart,
  multipartBody,
} from '../helpers/multipartForm';

const JSON_FILE = '{"deviceId":"truck-1",\r\n"note":"--gw-7MA4 looks like a boundary, \\u00e9 °C"}\r\n';
const extract = (
  parts: FormPart[],
  options: { maxBytes?: number; chunk?: number; closed?: boolean } = {},
) => {
  const bytes = multipartBody(parts, { closed: options.closed });
  const size = options.chunk ?? bytes.byteLength;
  const chunks = [];
  for (let at = 0; at < bytes.byteLength; at += size) chunks.push(bytes.subarray(at, at + size));
  return fileFromMultipart(RawBody.fromChunks(chunks), FORM_CONTENT_TYPE, options.maxBytes ?? 1_000);
};
const refusal = (parts: FormPart[], options?: Parameters<typeof extract>[1]) =>
  extract(parts, options).then(
    () => ({ status: 200, code: 'none', message: '' }),
    (err: { status: number; code: string; message: string }) => ({
      status: err.status,
      code: err.code,
      message: err.message,
    }),
  );

describe('fileFromMultipart', () => {
  test('the one JSON file part, byte for byte; plain fields around it are ignored', async () => {
    const file = await extract([fieldPart('gateway', 'gw-7'), filePart(JSON_FILE), fieldPart('seq', '187')]);
    expect(file.toBuffer().toString()).toBe(JSON_FILE);
  });

  test.each([1, 3, 17])('the same bytes when the form arrives in chunks of %i bytes', async (chunk) => {
    const file = await extract([filePart(JSON_FILE)], { chunk });
    expect(file.toBuffer().toString()).toBe(JSON_FILE);
  });

  test('a part without a filename that declares application/json is the file', async () => {
    const file = await extract([filePart(JSON_FILE, { filename: '' })]);
    expect(file.toBuffer().toString()).toBe(JSON_FILE);
  });

  test('an empty file part is an empty body (refused later as empty_body)', async () => {
    expect((await extract([filePart('')])).byteLength).toBe(0);
  });

  test('a file exactly at the cap is accepted; one byte more is 413', async () => {
    const at = 'x'.repeat(100);
    expect((await extract([filePart(at)], { maxBytes: 100 })).byteLength).toBe(100);
    expect(await refusal([filePart(`${at}y`)], { maxBytes: 100 })).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
  });

  test.each<[string, string, RegExp, FormPart[]]>([
    [
      'two files',
      'multipart_too_many_files',
      /more than one file part/,
      [filePart('{}'), filePart('{}', { name: 'other' })],
    ],
    ['no file', 'multipart_no_file', /no file part/, [fieldPart('data', '{}')]],
    ['no parts at all', 'multipart_no_file', /no file part/, []],
    [
      'a text file',
      'multipart_file_not_json',
      /"text\/plain", not application\/json/,
      [filePart('{}', { type: 'text/plain' })],
    ],
    [
      'an octet stream',
      'multipart_file_not_json',
      /application\/octet-stream/,
      [filePart('{}', { type: 'application/octet-stream' })],
    ],
    [
      'a file part without Content-Type',
      'multipart_file_not_json',
      /"text\/plain"/,
      [filePart('{}', { type: null })],
    ],
  ])('%s: 400 %s, saying what was expected', async (_name, code, message, parts) => {
    const answer = await refusal(parts);
    expect(answer).toEqual({ status: 400, code, message: expect.stringMatching(message) });
    expect(answer.message).toContain('exactly one file part holding the JSON');
  });

  test('a form cut before its closing boundary is invalid_multipart', async () => {
    expect(await refusal([filePart('{}')], { closed: false })).toMatchObject({
      status: 400,
      code: 'invalid_multipart',
    });
  });

  test('a base64 Content-Transfer-Encoding is refused, not stored as base64 text', async () => {
    const part = filePart(Buffer.from('{}').toString('base64'));
    part.headers.push('Content-Transfer-Encoding: base64');
    expect(await refusal([part])).toMatchObject({
      status: 400,
      code: 'invalid_multipart',
      message: expect.stringContaining('base64'),
    });
  });

  test('more than 16 plain fields is invalid_multipart', async () => {
    const fields = Array.from({ length: 17 }, (_, i) => fieldPart(`f${i}`, 'x'));
    expect(await refusal([...fields, filePart('{}')])).toMatchObject({
      status: 400,
      code: 'invalid_multipart',
    });
  });

  test('a Content-Type without a boundary is invalid_multipart', async () => {
    await expect(
      fileFromMultipart(RawBody.of(Buffer.from('x')), 'multipart/form-data', 100),
    ).rejects.toMatchObject({
      status: 400,
      code: 'invalid_multipart',
      message: expect.stringContaining('no boundary'),
    });
  });
});

describe('checkContentType', () => {
  test.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    [FORM_CONTENT_TYPE, 'multipart'],
    ['Multipart/Form-Data; boundary=x', 'multipart'],
  ])('%s is %s', (header, form) => {
    expect(checkContentType(header)).toBe(form);
  });
  test('anything else is 415 naming both accepted forms', () => {
    expect(() => checkContentType('multipart/mixed; boundary=x')).toThrow(
      expect.objectContaining({ status: 415, message: expect.stringContaining('multipart/form-data') }),
    );
  });
});

describe('fileFromMultipart: what a refusal tells the gateway', () => {
  const error = (parts: FormPart[]) =>
    extract(parts).then(
      () => undefined,
      (err: { code: string; message: string; details: unknown }) => err,
    );

  test('a file part that is not JSON: the part and its type in the details', async () => {
    expect(await error([filePart('{}', { type: 'text/plain' })])).toMatchObject({
      details: [{ path: 'form.file', message: 'Content-Type text/plain' }],
    });
  });

  test('the other refusals carry no details', async () => {
    expect(await error([fieldPart('data', '{}')])).toMatchObject({ code: 'multipart_no_file', details: [] });
  });

  test('16 form fields beside the file are ignored; 17 are refused, naming the limit', async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => fieldPart(`f${i}`, 'x'));
    expect((await extract([...fields(16), filePart('{}')])).text()).toBe('{}');
    expect(await error([...fields(17), filePart('{}')])).toMatchObject({
      code: 'invalid_multipart',
      message: expect.stringContaining('more than 16 form fields'),
    });
  });
});
