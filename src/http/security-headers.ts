import type { AppMiddleware } from '../core/app-state';
import helmet from 'koa-helmet';

/**
 * Security headers on every response (koa-helmet). The API answers JSON only, so its policy
 * forbids every kind of content; the docs pages (src/http/docs.ts) set their own, looser one.
 * API responses are personal data: no cache may keep them (the contract documents relax this).
 */
export function securityHeaders(): AppMiddleware {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await headers(ctx, next);
  };
}
