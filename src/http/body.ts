import type { AppMiddleware } from '../core/app-state';
import { isUtf8 } from 'node:buffer';
import type { Context } from 'koa';
import bodyParser from 'koa-bodyparser';
import { UNSTORABLE } from '../db/storable-text';
import { BodyNotUtf8, UnstorableText } from '../core/errors';
import { escapePointer } from '../core/problem';

// Request bodies, for the operations that take one: JSON (and merge-patch JSON) only, up to the
// configured size, and valid UTF-8.
// koa-bodyparser decodes with replacement characters, so the same bytes are checked as UTF-8
// and a body that is not is refused (400) instead of storing U+FFFD.

export const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/** An empty body (Content-Length: 0, as fetch sends for a PATCH without one) is no body. */
export function hasBody(ctx: Context): boolean {
  const length = ctx.request.length;
  return length === undefined ? ctx.get('transfer-encoding') !== '' : length > 0;
}

export function jsonBody(limitBytes: number): AppMiddleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: JSON_TYPES.slice(1) },
    jsonLimit: `${limitBytes}b`,
    // Any JSON value: one of the wrong type (a string, an array…) is the contract's to refuse
    // (422, rule `type`), like any other invalid body; 400 is for text that is not JSON at all.
    strict: false,
  });
  return async (ctx, next) => {
    // An operation that takes no body ignores one (RFC 9110: content on a GET has no meaning).
    if (!ctx.state.operation?.requestBody) return next();
    if (!hasBody(ctx)) {
      ctx.request.body = {}; // no content: an empty object, whatever Content-Type says
      return next();
    }
    if (!ctx.request.is(JSON_TYPES)) return parse(ctx, next);
    // The raw bytes, kept by reference (the parser holds the same chunks) and checked once at
    // the end: a fatal TextDecoder per request cost more than the check itself.
    const chunks: Buffer[] = [];
    // Every 'data' listener sees every chunk: this one runs beside the parser's own.
    ctx.req.on('data', (chunk: Buffer) => chunks.push(chunk));
    return parse(ctx, async () => {
      // Chunked with no content: no body, as for Content-Length: 0 (the parser gives "" for it,
      // as it does for the JSON text `""`, which is a body of the wrong type).
      if (ctx.request.body === '' && chunks.every((chunk) => chunk.length === 0)) ctx.request.body = {};
      if (!isUtf8(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))) throw BodyNotUtf8();
      const unstorable = unstorableText(ctx.request.body);
      if (unstorable !== undefined) {
        throw UnstorableText(unstorable);
      }
      await next();
    });
  };
}

/**
 * The JSON pointer of the first string PostgreSQL text cannot hold exactly (U+0000) or that is
 * not Unicode (an unpaired surrogate, which would be stored as U+FFFD), or undefined.
 */
export function unstorableText(value: unknown, pointer = '', depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? pointer : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const escaped = escapePointer(key);
    if (UNSTORABLE.test(key)) return `${pointer}/${escaped}`;
    const found = unstorableText(item, `${pointer}/${escaped}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
