import { parseJsonExact } from '../../singer/index.js';

/** A response body: exact JSON (big ids and long decimals kept as ExactNumber), or a note on why it is not JSON. */
export type ParsedBody = { json: true; value: unknown } | { json: false; summary: string };

/** Gateways answer with HTML error pages (wrong host, 502); lgfapi itself answers JSON. */
export function parseBody(text: string, contentType: string | undefined): ParsedBody {
  const trimmed = text.trimStart();
  if (trimmed === '') return { json: false, summary: 'empty body' };
  if (/html/i.test(contentType ?? '') || trimmed.startsWith('<')) return { json: false, summary: htmlSummary(trimmed) };
  try {
    return { json: true, value: parseJsonExact(text) };
  } catch {
    return { json: false, summary: `body is not JSON (${contentType ?? 'no content type'}, ${text.length} bytes)` };
  }
}

function htmlSummary(html: string): string {
  const title =
    /<title[^>]*>([^<]{1,200})<\/title>/i.exec(html)?.[1] ?? /<h1[^>]*>([^<]{1,200})<\/h1>/i.exec(html)?.[1];
  return `HTML page instead of JSON${title ? ` ("${title.trim().replace(/\s+/g, ' ')}")` : ''}`;
}

/** The lgfapi error body `{reference, code, message, details}` in one line (no values from records are in it). */
export function describeErrorBody(body: ParsedBody): string | undefined {
  if (!body.json) return body.summary;
  const value = body.value;
  if (typeof value !== 'object' || value === null) return undefined;
  const error = value as Record<string, unknown>;
  const parts = [error.code, error.message ?? error.detail ?? error.error_description ?? error.error].filter(
    (part) => typeof part === 'string' && part !== '',
  );
  if (error.details && typeof error.details === 'object') parts.push(JSON.stringify(error.details).slice(0, 300));
  if (typeof error.reference === 'string') parts.push(`reference ${error.reference}`);
  return parts.length > 0 ? parts.join(' — ') : undefined;
}
