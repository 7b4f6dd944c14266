import type { AppMiddleware } from '../core/app-state';

import type { Logger } from 'pino';

/** One structured line per request. Never headers or bodies: they carry tokens and personal data. */
export const requestLog = (log: Logger): AppMiddleware => async (ctx, next) => {
  const started = process.hrtime.bigint();
  try {
    await next();
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const line = {
      event: 'request',
      method: ctx.method,
      route: ctx.state.route ?? null,
      path: ctx.path,
      status: ctx.status,
      ms: Math.round(ms * 100) / 100,
      request_id: ctx.state.requestId,
      user_id: ctx.state.userId ?? null,
    };
    if (ctx.status >= 500) log.error(line);
    else log.info(line);
  }
};
