import Koa from 'koa';
import type { Logger } from 'pino';
import { errorHandler } from './error-handler';
import { Starting } from '../core/errors';
import { requestId } from './request-id';
import { requestLog } from './request-log';
import { securityHeaders } from './security-headers';

/**
 * What answers on the port while the service waits for its database at start-up: `/health`
 * (the process is up), and 503 with Retry-After for everything else, `/ready` included. The
 * whole app takes over once the database answers and is migrated.
 */
export function startingApp(log: Logger): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(requestId());
  app.use(requestLog(log));
  app.use(securityHeaders());
  app.use(errorHandler(log));
  app.use(async (ctx) => {
    if (ctx.path === '/health' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.body = { status: 'ok' };
      return;
    }
    throw Starting();
  });
  return app;
}
