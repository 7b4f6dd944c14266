import type { AppMiddleware } from '../core/app-state';

import type { Logger } from 'pino';
import { mapDatabaseError } from '../db/errors';
import { BadRequest, InternalError, MalformedJson, MethodNotAllowed, NotAcceptable, PayloadTooLarge, RouteNotFound, UnsupportedMediaType } from '../core/errors';
import { HttpProblem } from '../core/problem';

// The one error funnel: whatever is thrown below becomes problem+json here. Known errors keep
// their status; database errors are mapped once; anything else is a bare 500 and a log line.

/** Errors from koa-bodyparser / raw-body carry a status and a type; give them a clear detail. */
function fromBodyParser(err: { status?: number; type?: string; message?: string; limit?: number }): HttpProblem | undefined {
  if (err.status === 413 || err.type === 'entity.too.large') {
    return PayloadTooLarge(err.limit);
  }
  if (err.status === 415 || err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') {
    return UnsupportedMediaType(err.message ?? 'Unsupported body encoding');
  }
  if (err instanceof SyntaxError) return MalformedJson(err.message ?? 'the body does not parse');
  return undefined;
}

export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const mapped = mapDatabaseError(err);
  if (mapped) return mapped;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return fromBodyParser(err as Parameters<typeof fromBodyParser>[0]) ?? fromClientStatus(status);
  }
  return InternalError(err);
}

/** A client error thrown by a library with only a status: the kind of problem that status names (its message stays out). */
function fromClientStatus(status: number): HttpProblem {
  if (status === 404) return RouteNotFound('No such resource');
  if (status === 405) return MethodNotAllowed('Method not allowed', []);
  if (status === 406) return NotAcceptable(['application/json']);
  return BadRequest();
}

export const errorHandler = (log: Logger): AppMiddleware => async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    const p = toProblem(err);
    if (p.status >= 500) {
      const cause = p.cause ?? err;
      log.error({ event: 'error', request_id: ctx.state.requestId, status: p.status, err: cause }, 'request failed');
    }
    ctx.status = p.status;
    ctx.set(p.headers);
    // The rest of an over-limit body is never read: the connection cannot carry another request.
    if (p.status === 413) ctx.set('Connection', 'close');
    ctx.type = 'application/problem+json';
    ctx.body = p.toBody(ctx.path, ctx.state.requestId);
  }
};
