import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { type ErrorDetail, RequestError } from './errors';
import { type RawBody, RawBodyBuilder } from './rawBody';
import { payloadTooLarge } from './requestBody';

/** Room for boundaries, part headers and small form fields around the file: the raw read's extra cap. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** Plain form fields (parts that are no file) are ignored, but only so many. */
const MAX_OTHER_PARTS = 16;

const EXPECTED =
  'Send exactly one file part holding the JSON, with its own "Content-Type: application/json" ' +
  '(curl: -F "file=@reading.json;type=application/json").';

/**
 * The one JSON file of a `multipart/form-data` body (RFC 7578), its bytes exactly as they were in
 * the part. A file part is a part with a filename, or any part that declares application/json;
 * other parts (plain form fields) are ignored. The file is capped at `maxBytes` like a raw body.
 * Every other shape is a 400 that says what was expected. Parsed by @fastify/busboy, fed the body
 * already read (so the read's deadlines and caps apply to the whole upload).
 */
export function fileFromMultipart(body: RawBody, contentType: string, maxBytes: number): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    // A promise settles once: the first refusal is the answer, later events change nothing.
    let file: RawBodyBuilder | undefined;
    let parser;
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        isPartAFile: (_name, type, filename) => filename !== undefined || type === 'application/json',
        limits: { fileSize: maxBytes, parts: MAX_OTHER_PARTS + 1, headerSize: 8 * 1024 },
      });
    } catch {
      return reject(invalidMultipart('the multipart/form-data Content-Type has no boundary'));
    }
    parser.on('file', (name: string, stream: BusboyFileStream, _filename, encoding: string, type: string) => {
      stream.on('error', () => undefined);
      if (file) {
        stream.resume();
        return reject(multipartError('multipart_too_many_files', 'The form has more than one file part.'));
      }
      if (type !== 'application/json') {
        stream.resume();
        return reject(
          multipartError('multipart_file_not_json', `The file part is "${type}", not application/json.`, [
            { path: `form.${name}`, message: `Content-Type ${type}` },
          ]),
        );
      }
      if (!['7bit', '8bit', 'binary'].includes(encoding)) {
        stream.resume();
        return reject(
          invalidMultipart(`Content-Transfer-Encoding ${encoding} is not used in forms (RFC 7578)`),
        );
      }
      const received = (file = new RawBodyBuilder());
      stream.on('data', (chunk: Buffer) => received.push(chunk));
      stream.on('limit', () => reject(payloadTooLarge(maxBytes)));
    });
    parser.on('partsLimit', () => reject(invalidMultipart(`more than ${MAX_OTHER_PARTS} form fields`)));
    // busboy's messages are not passed on: what the gateway needs is what a well-formed form is.
    parser.on('error', () => reject(invalidMultipart('a boundary or part header is missing or malformed')));
    parser.on('finish', () =>
      file
        ? resolve(file.build())
        : reject(multipartError('multipart_no_file', 'The form has no file part.')),
    );
    for (const chunk of body.chunks) parser.write(chunk);
    parser.end();
  });
}

function multipartError(code: string, what: string, details: ErrorDetail[] = []): RequestError {
  return new RequestError(400, code, `${what} ${EXPECTED}`, details);
}

function invalidMultipart(problem: string): RequestError {
  return multipartError('invalid_multipart', `The body is not a well-formed form: ${problem}.`);
}
