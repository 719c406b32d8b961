/**
 * A one-line reason for a storage or sign-in failure, for the vendor's log. Storage errors can carry
 * request URLs, and a URL can carry a SAS: any `sig=` value is blanked.
 */
export function describeError(err: unknown): string {
  const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
  const status = e.statusCode ? `HTTP ${e.statusCode}` : undefined;
  const code = e.code && e.code !== String(e.statusCode) ? e.code : undefined;
  const firstLine = (e.message ?? String(err)).split('\n')[0]!.trim();
  const text = [status, code].filter(Boolean).join(' ') || e.name || 'Error';
  return redactSas(`${text}: ${firstLine}`.slice(0, 500));
}

export function redactSas(text: string): string {
  return text.replace(/([?&]sig=)[^&\s"']+/gi, '$1REDACTED');
}

/** The URL without its query: for messages and for naming what a state belongs to. */
export function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
