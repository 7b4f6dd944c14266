import addFormats from 'ajv-formats';
import type { AppContext } from '../core/app-state';
import OpenAPIBackend, { type Context } from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { MethodNotAllowed, MissingAuthentication, NotImplemented, OwnerMismatch, RouteNotFound } from '../core/errors';
import { validationProblem } from '../core/problem';
import type { Contract } from './contract';
import type { Caller } from './security';
import type { HandlerTable, OperationHandler, OperationId, OperationRequest, Reply } from './operations';
import { ContractRouter } from './router';
import { toFieldErrors } from './validation-errors';

// The contract made executable: routing by operationId, security, request validation.
// Every system handler is registered so that nothing unvalidated reaches a handler.

/** A body with thousands of unknown keys gets the first hundred named, not a megabyte of errors. */
const MAX_FIELD_ERRORS = 100;

type SecurityHandler = (c: Context, ctx: AppContext) => Promise<Caller>;

/** Identity never comes from the request: a user_id in the path, query or body is only checked. */
function assertSameOwner(c: Context, caller: Caller | undefined) {
  if (!caller) return;
  const body = c.request.requestBody as { user_id?: unknown } | undefined;
  const claimed = [c.request.params?.user_id, c.request.query?.user_id, body?.user_id];
  if (claimed.some((id) => id !== undefined && id !== caller.userId)) throw OwnerMismatch();
}

/**
 * The route family's prefix ('', '/api' or '/api/<owner>'), read off the matched route's template,
 * never the request path: an owner id may itself contain "/tasks" (`tasks-bot`, `a/tasks`).
 */
export function familyPrefix(template: string, params: Record<string, string> | undefined): string {
  const at = template.indexOf('/tasks');
  if (at <= 0) return '';
  return template.slice(0, at).replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
}

/**
 * format: uuid (ajv-formats) also admits the URN form `urn:uuid:<uuid>`; the task is the same,
 * so path ids reach handlers as the bare UUID the database knows.
 */
function bareIds(params: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!params?.task_id?.toLowerCase().startsWith('urn:uuid:')) return params;
  return { ...params, task_id: params.task_id.slice('urn:uuid:'.length) };
}

/** The handler's view of a validated request: its parts, and the caller when the operation is secured. */
function requestFor(c: Context): OperationRequest<OperationId> {
  const ifMatch = c.request.headers['if-match'];
  const params = c.request.params as Record<string, string> | undefined;
  const caller = c.security?.bearerAuth as Caller | undefined;
  return {
    body: c.request.requestBody,
    path: bareIds(params),
    query: c.request.query,
    ifMatch: Array.isArray(ifMatch) ? ifMatch.join(', ') : ifMatch,
    prefix: familyPrefix(c.operation.path, params),
    ...(caller ? { userId: caller.userId } : {}),
  } as OperationRequest<OperationId>;
}

/** A handler's reply, onto the response. */
function send(ctx: AppContext, reply: Reply<OperationId>) {
  ctx.status = reply.status ?? 200;
  if (reply.headers) ctx.set(reply.headers);
  if (reply.type) ctx.type = reply.type;
  if (reply.body !== undefined) ctx.body = reply.body;
}

/** openapi-backend validating as the service does: strict, types coerced, every error, ajv-formats. */
export function validatingBackend(document: OpenAPIV3.Document): OpenAPIBackend {
  return new OpenAPIBackend({
    definition: structuredClone(document),
    strict: true,
    quick: false,
    coerceTypes: true,
    ajvOpts: { allErrors: true, strict: false },
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
  });
}

export async function createBackend(contract: Contract, handlers: HandlerTable, bearerAuth: SecurityHandler) {
  const api = validatingBackend(contract.document);

  const operationHandlers = Object.fromEntries(
    Object.entries(handlers).map(([id, handler]) => [
      id,
      async (c: Context, ctx: AppContext) => send(ctx, await (handler as OperationHandler<OperationId>)(requestFor(c), ctx)),
    ]),
  );

  api.register({
    ...operationHandlers,
    // The Koa middleware in src/http/route-match.ts answers these before the body is read;
    // they stay registered so openapi-backend can never fall through to a handler.
    notFound: () => {
      throw RouteNotFound('No such route');
    },
    methodNotAllowed: () => {
      throw MethodNotAllowed('Method not allowed', []);
    },
    notImplemented: () => {
      throw NotImplemented();
    },
    unauthorizedHandler: (c: Context) => {
      throw (c.security?.bearerAuth as { error?: unknown } | undefined)?.error ?? MissingAuthentication();
    },
    validationFail: (c: Context) => {
      throw validationProblem(toFieldErrors(c.validation.errors ?? []).slice(0, MAX_FIELD_ERRORS));
    },
    preOperationHandler: (c: Context) => {
      assertSameOwner(c, c.security?.bearerAuth as Caller | undefined);
    },
  });
  api.registerSecurityHandler('bearerAuth', bearerAuth);
  await api.init();
  ContractRouter.install(api);
  return api;
}
