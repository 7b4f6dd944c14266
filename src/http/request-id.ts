import type { AppMiddleware } from '../core/app-state';
import crypto from 'node:crypto';

const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The incoming X-Request-Id when it is sane, otherwise a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  // Several ids for one request are not one id to echo.
  return typeof header === 'string' && SANE_ID.test(header) ? header : crypto.randomUUID();
}

export const requestId = (): AppMiddleware => async (ctx, next) => {
  ctx.state.requestId = requestIdFrom(ctx.headers['x-request-id']);
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
};
