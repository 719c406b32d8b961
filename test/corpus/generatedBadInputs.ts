/**
 * Generated bad inputs: every field of the example schema with every wrong type and out-of-range
 * value, truncations of a valid file, control and look-alike characters in ids and headers,
 * oversize headers, malformed keys and JSON oddities. Each must get its 4xx and write nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BadInput {
  name: string;
  status: number;
  error: string;
  method?: string;
  deviceId?: string;
  body?: string | Uint8Array;
  /** null leaves a header out (see TestHeaders). */
  headers?: Record<string, string | null>;
  /** A path Ajv must report, for schema violations. */
  path?: string;
}

const sample = readFileSync(join(__dirname, '..', '..', 'docs', 'samples', 'oil-condition.json'), 'utf8');
const valid = JSON.parse(sample) as Record<string, unknown> & { readings: Array<Record<string, unknown>> };
const withTop = (field: string, value: unknown) => JSON.stringify({ ...valid, [field]: value });
const withReading = (field: string, value: unknown) =>
  JSON.stringify({
    ...valid,
    readings: [{ ...valid.readings[0], [field]: value }, ...valid.readings.slice(1)],
  });

const schemaCase = (name: string, body: string, path: string): BadInput => ({
  name,
  body,
  path,
  status: 400,
  error: 'schema_validation',
});

function wrongTypes(): BadInput[] {
  const wrongFor = {
    string: [null, 42, true, [], {}],
    number: [null, '80', true, [], {}],
    integer: [null, '1', 1.5, true, [], {}],
  } as const;
  const top = { deviceId: 'string', sentAt: 'string', firmware: 'string', sequence: 'integer' } as const;
  const reading = {
    timestamp: 'string',
    oilTemperatureC: 'number',
    densityKgM3: 'number',
    viscosityCSt: 'number',
    dielectricConstant: 'number',
    waterContentPpm: 'number',
    sensorStatus: 'string',
  } as const;
  return [
    ...Object.entries(top).flatMap(([field, type]) =>
      wrongFor[type].map((v) =>
        schemaCase(`${field} = ${JSON.stringify(v)}`, withTop(field, v), `/${field}`),
      ),
    ),
    ...Object.entries(reading).flatMap(([field, type]) =>
      wrongFor[type].map((v) =>
        schemaCase(
          `readings[0].${field} = ${JSON.stringify(v)}`,
          withReading(field, v),
          `/readings/0/${field}`,
        ),
      ),
    ),
    ...[null, 'x', 42, true, []].map((v) =>
      schemaCase(`readings = ${JSON.stringify(v)}`, withTop('readings', v), '/readings'),
    ),
  ];
}

function outOfRange(): BadInput[] {
  const ranges: Record<string, [number, number]> = {
    oilTemperatureC: [-60, 250],
    densityKgM3: [500, 1500],
    viscosityCSt: [0, 10000],
    dielectricConstant: [1, 10],
    waterContentPpm: [0, 1000000],
  };
  return [
    ...Object.entries(ranges).flatMap(([field, [min, max]]) => [
      schemaCase(`${field} below ${min}`, withReading(field, min - 0.5), `/readings/0/${field}`),
      schemaCase(`${field} above ${max}`, withReading(field, max + 0.5), `/readings/0/${field}`),
    ]),
    schemaCase('sequence = -1', withTop('sequence', -1), '/sequence'),
    schemaCase('firmware of 65 characters', withTop('firmware', 'f'.repeat(65)), '/firmware'),
    schemaCase('10,001 readings', withTop('readings', Array(10001).fill(valid.readings[0])), '/readings'),
  ];
}

function truncations(): BadInput[] {
  const cuts = Array.from({ length: 15 }, (_, i) => Math.floor(((i + 1) * sample.length) / 16));
  return cuts.map((at) => ({
    name: `truncated at byte ${at}`,
    body: sample.slice(0, at),
    status: 400,
    error: 'invalid_json',
  }));
}

function badDeviceIds(): BadInput[] {
  const controls = [...Array.from({ length: 32 }, (_, i) => i), 0x7f].map((code) => ({
    name: `device id with U+${code.toString(16).padStart(4, '0')}`,
    deviceId: `truck${String.fromCharCode(code)}042`,
  }));
  const lookalikes = [
    'truck\u2215042', // division slash
    'truck\uff0f042', // fullwidth solidus
    '\u202etruck', // right-to-left override
    'truck\u200b042', // zero-width space
    '\uff54\uff52\uff55\uff43\uff4b', // fullwidth "truck"
    'truck%2F042',
    '%2e%2e',
    'truck\u00a0042', // no-break space
  ].map((deviceId) => ({ name: `device id ${JSON.stringify(deviceId)}`, deviceId }));
  return [...controls, ...lookalikes].map((c) => ({ ...c, status: 400, error: 'invalid_device_id' }));
}

function badHeaders(): BadInput[] {
  const key = (name: string, value: string): BadInput => ({
    name,
    headers: { 'idempotency-key': value },
    status: 400,
    error: 'invalid_idempotency_key',
  });
  return [
    key('Idempotency-Key with U+0001', 'a\u0001b'),
    key('Idempotency-Key with ESC', 'a\u001bb'),
    key('Idempotency-Key with DEL', 'a\u007fb'),
    key('Idempotency-Key with a tab between words', 'key\tvalue'),
    key('Idempotency-Key of 10 KiB', 'k'.repeat(10 * 1024)),
    key('Idempotency-Key of 1000 characters', 'k'.repeat(1000)),
    key('Idempotency-Key of spaces only', '   '),
    key('Idempotency-Key with latin-1 characters', '\u00e9t\u00e9'),
    key('Idempotency-Key with a no-break space', 'a\u00a0b'),
    {
      name: 'Authorization of 16 KiB',
      headers: { authorization: `Bearer ${'A'.repeat(16 * 1024)}` },
      status: 401,
      error: 'invalid_credentials',
    },
    {
      name: 'Content-Type of 8 KiB',
      headers: { 'content-type': `application/${'x'.repeat(8 * 1024)}` },
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'Content-Type with a control character',
      headers: { 'content-type': 'application/\u0001json' },
      status: 415,
      error: 'unsupported_media_type',
    },
  ];
}

function badCredentials(): BadInput[] {
  const secret = 'A'.repeat(43);
  const tokens = [
    '',
    'x',
    'truck-042',
    `truck-042~abcd1234`,
    `truck-042~abcd1234~${secret}~extra`,
    `truck-042~ABCD1234~${secret}`,
    `truck-042~abcd123~${secret}`,
    `truck-042~abcd1234~${secret.slice(1)}`,
    `truck-042~abcd1234~${secret}A`,
    `truck-042~abcd1234~${secret.replace(/A$/, '=')}`,
    `../x~abcd1234~${secret}`,
    `truck-042 ~abcd1234~${secret}`,
    `truck-042~abcd1234~${secret}`, // well-formed, unknown key id
    `unknown-device~abcd1234~${secret}`,
  ];
  return [
    ...tokens.map((t, i) => ({
      name: `malformed key #${i + 1}: Bearer ${JSON.stringify(t.length > 30 ? `${t.slice(0, 30)}...` : t)}`,
      headers: { authorization: `Bearer ${t}` },
      status: 401,
      error: 'invalid_credentials',
    })),
    ...['Basic dXNlcjpwYXNz', 'Digest x', 'Bearer', 'Token abc', 'Bearerabc'].map((value) => ({
      name: `Authorization ${JSON.stringify(value)}`,
      headers: { authorization: value },
      status: 401,
      error: 'invalid_credentials',
    })),
    {
      name: 'no credentials at all',
      headers: { authorization: null },
      status: 401,
      error: 'missing_credentials',
    },
    {
      name: 'x-device-key that is not a key',
      headers: { authorization: null, 'x-device-key': 'secret' },
      status: 401,
      error: 'invalid_credentials',
    },
  ];
}

function badMediaAndEncodings(): BadInput[] {
  const types = [
    'text/plain',
    'text/json',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/mixed; boundary=x',
    'application/json-patch+json',
    'application/octet-stream',
    'application/json; charset=utf-16',
    'application/json; charset=iso-8859-1',
    '*/*',
    'application/*',
    'json',
    'application/jsonx',
  ].map((type) => ({
    name: `Content-Type ${type}`,
    headers: { 'content-type': type },
    status: 415,
    error: 'unsupported_media_type',
  }));
  const encodings = ['br', 'deflate', 'compress', 'gzip, br', 'zstd'].map((encoding) => ({
    name: `Content-Encoding ${encoding}`,
    headers: { 'content-encoding': encoding },
    status: 415,
    error: 'unsupported_content_encoding',
  }));
  return [
    ...types,
    ...encodings,
    {
      name: 'gzip bomb',
      body: gzipSync(Buffer.alloc(8 * 1024 * 1024)),
      headers: { 'content-encoding': 'gzip' },
      status: 413,
      error: 'payload_too_large',
    },
    {
      name: 'gzip header but plain body',
      headers: { 'content-encoding': 'gzip' },
      status: 400,
      error: 'invalid_gzip',
    },
    {
      name: 'gzip of invalid JSON',
      body: gzipSync('{"deviceId":'),
      headers: { 'content-encoding': 'gzip' },
      status: 400,
      error: 'invalid_json',
    },
  ];
}

function jsonOddities(): BadInput[] {
  const invalid = [
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":undefined}',
    "{'a':1}",
    '{"a":1 /* comment */}',
    '// comment\n{}',
    '{a:1}',
    '{"a":0x10}',
    '{"a":01}',
    '{"a":.5}',
    '{"a":"unterminated}',
    '{"a":"tab\tinside"}',
    '[1,]',
    '{"a":1}}',
    'nul',
  ].map((body) => ({ name: `JSON ${JSON.stringify(body)}`, body, status: 400, error: 'invalid_json' }));
  const utf8 = [
    ['overlong slash', [0x22, 0xc0, 0xaf, 0x22]],
    ['lone continuation byte', [0x22, 0x80, 0x22]],
    ['0xFF byte', [0x22, 0xff, 0x22]],
    ['UTF-8 encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['truncated multi-byte', [0x22, 0xe2, 0x82, 0x22]],
  ].map(([name, bytes]) => ({
    name: `invalid UTF-8: ${name as string}`,
    deviceId: 'pump-1',
    body: Uint8Array.from(bytes as number[]),
    status: 400,
    error: 'invalid_utf8',
  }));
  const structure = [
    { name: 'duplicate top-level key', body: '{"deviceId":"a","deviceId":"b"}', error: 'duplicate_key' },
    { name: 'duplicate nested key', body: '{"r":[{"t":1,"t":2}]}', error: 'duplicate_key' },
    { name: 'duplicate key via escape', body: '{"ab":1,"\\u0061b":2}', error: 'duplicate_key' },
    { name: 'nesting 65 deep', body: '['.repeat(65) + ']'.repeat(65), error: 'json_too_deep' },
    {
      name: 'nesting 10,000 deep',
      body: '{"a":'.repeat(10000) + '1' + '}'.repeat(10000),
      error: 'json_too_deep',
    },
  ].map((c) => ({ ...c, deviceId: 'pump-1', status: 400 }));
  const notObjects = ['[]', '7', '"text"', 'null', 'true'].map((body) => ({
    name: `top-level ${body} for the oil model`,
    body,
    status: 400,
    error: 'schema_validation',
    path: '/',
  }));
  return [...invalid, ...utf8, ...structure, ...notObjects];
}

export function generatedBadInputs(): BadInput[] {
  return [
    ...wrongTypes(),
    ...outOfRange(),
    ...truncations(),
    ...badDeviceIds(),
    ...badHeaders(),
    ...badCredentials(),
    ...badMediaAndEncodings(),
    ...jsonOddities(),
  ];
}
