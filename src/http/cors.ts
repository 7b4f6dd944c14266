import type { AppMiddleware } from '../core/app-state';
import cors from '@koa/cors';

/**
 * CORS is off unless CORS_ORIGINS lists origins; only those get CORS headers (and preflights).
 * The headers a browser client needs to read (ETag, Location, Link…) are exposed.
 */
export function corsFor(origins: readonly string[]): AppMiddleware | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
    exposeHeaders: ['ETag', 'Location', 'Link', 'X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
  });
}
