import type { AppMiddleware } from '../core/app-state';

import { MalformedUrl } from '../core/errors';

// Percent-escapes are decoded in the path (route parameters) and the query string. A request whose
// escapes are not well formed (`%` and two hex digits) or do not spell UTF-8 (`%C0%AF`, a lone
// `%E0`) names nothing this service has: it is refused here, once, before anything decodes it.

/** Whether every percent-escape in `text` is well formed and the bytes they spell are UTF-8. */
export function percentDecodable(text: string): boolean {
  if (!text.includes('%')) return true;
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** 400 for a path or query string that cannot be decoded. */
export const wellFormedUrl = (): AppMiddleware => async (ctx, next) => {
  if (!percentDecodable(ctx.path)) throw MalformedUrl('path');
  if (!percentDecodable(ctx.querystring)) throw MalformedUrl('query string');
  await next();
};
