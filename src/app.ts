import crypto from 'node:crypto';
import path from 'node:path';
import Koa from 'koa';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AppState } from './core/app-state';
import type { Config } from './core/config';
import { createBackend } from './api/backend';
import { authHandlers } from './api/handlers/auth';
import { metaHandlers } from './api/handlers/meta';
import { taskHandlers } from './api/handlers/tasks';
import type { HandlerTable } from './api/operations';
import { bearerAuth } from './api/security';
import { remoteKeys } from './auth/jwks';
import { createThrottle } from './auth/throttle';
import type { TokenSettings } from './auth/tokens';
import { corsFor } from './http/cors';
import { jsonBody } from './http/body';
import { docsRouter } from './http/docs';
import { problemPages } from './http/problem-pages';
import { errorHandler } from './http/error-handler';
import { securityHeaders } from './http/security-headers';
import { requestId } from './http/request-id';
import { requestLog } from './http/request-log';
import { wellFormedUrl } from './http/well-formed-url';
import { dispatch } from './http/dispatch';
import { routeMatch } from './http/route-match';
import { accountService } from './services/accounts';
import { taskService } from './services/tasks';
import { isConnectionError } from './db/errors';
import { rateLimitRedis } from './db/redis';
import { callerScope, resolveRls } from './db/scope';
import { userService } from './services/users';
import { loadContract } from './api/contract';

export interface AppDeps {
  config: Config;
  knex: Knex;
  log: Logger;
  jwtSecret: Uint8Array;
}

/**
 * Whether tasks run under Row Level Security. The server resolves this after waiting for the
 * database; an app built while the database is down (auto mode) starts without it and says so.
 */
async function rowLevelSecurity(knex: Knex, config: Config, log: Logger): Promise<boolean> {
  try {
    return await resolveRls(knex, config.db.rowLevelSecurity, log);
  } catch (err) {
    if (config.db.rowLevelSecurity !== 'auto' || !isConnectionError(err)) throw err;
    log.warn({ event: 'db.rls_unresolved' }, 'database unreachable while building the app: row level security is off');
    return false;
  }
}

/**
 * The whole service as a Koa app, without listening (src/server.ts listens; tests use port 0).
 * A request travels: request id → log → CORS → security headers → error funnel → URL check (400)
 * → docs and problem pages (outside the contract) → route match (404/405/406/415) → body parser (400/413)
 * → openapi-backend (401, 422, 403) → handler → service → model.
 */
export async function buildApp({ config, knex, log, jwtSecret }: AppDeps) {
  const contract = loadContract();
  const tokens: TokenSettings = {
    // Imported once as a key object: jose would otherwise import the raw bytes on every request.
    secret: crypto.createSecretKey(jwtSecret),
    ownIssuer: config.jwt.ownIssuer,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.ttlSeconds,
    jwks: remoteKeys(config),
  };
  const redis = await rateLimitRedis(config, log);
  const throttle = createThrottle(config, { knex, redis });
  const scope = callerScope(knex, await rowLevelSecurity(knex, config, log));
  const tasks = taskService({ scope, log, crossUserTaskStatus: config.crossUserTaskStatus });
  const users = userService({ knex, log });
  const accounts = accountService({ knex, log, tokens, throttle, bcryptCost: config.bcryptCost });
  const handlers = {
    ...metaHandlers({ knex, contract, publicUrl: config.publicUrl }),
    ...authHandlers(accounts),
    ...taskHandlers(tasks),
  } satisfies HandlerTable;
  const api = await createBackend(contract, handlers, bearerAuth(config, tokens, users, log));

  // Behind N trusted proxies the client address is the N-th X-Forwarded-For entry from the right:
  // everything left of it came from the client, who can write anything there.
  const app = new Koa<AppState>({ proxy: config.trustProxy, maxIpsCount: config.trustProxyHops });
  app.silent = true; // errors are logged by the error funnel, once, with the request id
  app.use(requestId());
  app.use(requestLog(log));
  const cors = corsFor(config.corsOrigins);
  if (cors) app.use(cors);
  app.use(securityHeaders());
  app.use(errorHandler(log));
  app.use(wellFormedUrl());
  const docs = docsRouter({ redocFile: path.join(path.dirname(contract.path), 'docs', 'index.html') });
  app.use(docs.routes());
  app.use(problemPages().routes());
  app.use(routeMatch(api));
  app.use(jsonBody(config.bodyLimitBytes));
  app.use(dispatch(api));
  const close = async () => {
    redis?.disconnect();
  };
  return { app, api, contract, close };
}
