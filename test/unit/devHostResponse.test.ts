import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { toWire } from '../../scripts/dev/devHost';

/** The dev host's direct serialisation of jsonBody answers sends what HttpResponse would. */
async function viaHttpResponse(init: HttpResponseInit) {
  const response = new HttpResponse(init);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('toWire', () => {
  test.each<[string, HttpResponseInit]>([
    [
      'a stored answer',
      { status: 200, headers: {}, jsonBody: { status: 'stored', size: 12, blob: 'a/b.json' } },
    ],
    [
      'a duplicate with a header',
      { status: 200, headers: { 'Idempotent-Replayed': 'true' }, jsonBody: { status: 'duplicate' } },
    ],
    [
      'an error with Retry-After',
      { status: 503, headers: { 'Retry-After': '5' }, jsonBody: { error: 'x', details: [] } },
    ],
    ['no status', { jsonBody: ['ü', 1, null] }],
    [
      'its own content type',
      { status: 200, headers: { 'Content-Type': 'application/problem+json' }, jsonBody: { a: 1 } },
    ],
    ['a null-body status', { status: 204, jsonBody: { ignored: true } }],
    ['a plain body', { status: 201, body: 'text' }],
  ])('%s: as HttpResponse would send it', async (_name, init) => {
    expect(await toWire(init)).toEqual(await viaHttpResponse(init));
  });
});
