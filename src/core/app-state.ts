import type { Middleware, ParameterizedContext } from 'koa';
import type { Operation } from 'openapi-backend';

/** What the middleware learns about a request, on ctx.state, in the order they learn it. */
export interface AppState {
  /** src/http/request-id.ts: the request's id, answered in X-Request-Id. */
  requestId: string;
  /** src/http/route-match.ts: the contract's operation the request is for, and its path template. */
  operation?: Operation;
  route?: string;
  /** src/api/security.ts: the caller the bearer token stands for. */
  userId?: string;
}

export type AppContext = ParameterizedContext<AppState>;
export type AppMiddleware = Middleware<AppState>;
