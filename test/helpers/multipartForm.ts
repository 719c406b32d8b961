/** multipart/form-data bodies built byte by byte, so tests control every part header. */
export const BOUNDARY = 'gw-7MA4YWxkTrZu0gW';
export const FORM_CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export interface FormPart {
  headers: string[];
  body: string | Uint8Array;
}

export function filePart(
  body: string | Uint8Array,
  { name = 'file', filename = 'reading.json', type = 'application/json' as string | null } = {},
): FormPart {
  const disposition = `Content-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`;
  return { headers: type === null ? [disposition] : [disposition, `Content-Type: ${type}`], body };
}

export function fieldPart(name: string, value: string): FormPart {
  return { headers: [`Content-Disposition: form-data; name="${name}"`], body: value };
}

export function multipartBody(parts: FormPart[], { closed = true } = {}): Buffer {
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    pieces.push(Buffer.from(`--${BOUNDARY}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    pieces.push(typeof part.body === 'string' ? Buffer.from(part.body) : part.body);
    pieces.push(Buffer.from('\r\n'));
  }
  if (closed) pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}
