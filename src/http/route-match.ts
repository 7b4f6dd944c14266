import type { AppMiddleware } from '../core/app-state';

import { acceptsAny } from './accept';
import { hasBody } from './body';
import type OpenAPIBackend from 'openapi-backend';
import type { Operation } from 'openapi-backend';
import { queryParametersOf } from '../api/router';
import { MethodNotAllowed, NotAcceptable, RouteNotFound, UnsupportedMediaType } from '../core/errors';

// Answers what does not depend on the body, before the body is read: 404 for an unknown path,
// 405 (with Allow) for a known path with another method, 406 when Accept rules out every media
// type the operation answers with, 415 when the body's type is not one the operation takes.

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function allowedMethods(api: OpenAPIBackend, path: string): string[] {
  const allowed = METHODS.filter((method) => api.router.matchOperation({ method, path, headers: {} }));
  return allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
}

/** What the checks need of an operation, read off the document once (operations never change). */
interface OperationShape {
  produces: string[];
  consumes: string[];
  queryNames: Set<string>;
}

const shapes = new WeakMap<Operation, OperationShape>();

function shapeOf(operation: Operation): OperationShape {
  let shape = shapes.get(operation);
  if (!shape) {
    // What a success answers with decides (an error may be problem+json whatever Accept says);
    // an operation whose success has no body (204) is asked about its errors' types instead.
    const success = new Set<string>();
    const any = new Set<string>();
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const type of Object.keys((response as { content?: object }).content ?? {})) {
        any.add(type);
        if (status.startsWith('2')) success.add(type);
      }
    }
    shape = {
      produces: [...(success.size > 0 ? success : any)],
      consumes: Object.keys((operation.requestBody as { content?: object } | undefined)?.content ?? {}),
      queryNames: new Set(queryParametersOf(operation).keys()),
    };
    shapes.set(operation, shape);
  }
  return shape;
}

export const routeMatch = (api: OpenAPIBackend): AppMiddleware => async (ctx, next) => {
  // HEAD is GET without a body; Koa drops the body for us.
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  const operation = api.router.matchOperation({ method, path: ctx.path, headers: {} });
  if (!operation) {
    const allowed = allowedMethods(api, ctx.path);
    if (allowed.length === 0) throw RouteNotFound(`No route ${ctx.path}`);
    throw MethodNotAllowed(`${ctx.method} is not allowed on ${ctx.path}`, allowed);
  }
  ctx.state.route = operation.path;
  ctx.state.operation = operation;

  const { produces, consumes } = shapeOf(operation);
  if (produces.length > 0 && !acceptsAny(ctx.get('Accept') || undefined, produces)) {
    throw NotAcceptable(produces);
  }
  if (consumes.length > 0 && hasBody(ctx)) {
    if (ctx.request.is(consumes) === false) throw UnsupportedMediaType(`Content-Type must be ${consumes.join(' or ')}`);
    const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
    if (encoding !== '' && encoding !== 'identity') {
      // Bodies are small JSON: compressed ones are refused rather than inflated (no zip bombs).
      throw UnsupportedMediaType(`Content-Encoding ${encoding} is not supported; send the body uncompressed`);
    }
  }
  await next();
};

/**
 * The query parameters the operation declares. Unknown ones are ignored rather than refused
 * (openapi-backend would reject them as additional properties), so clients may add their own.
 */
export function declaredQuery(operation: Operation, query: Record<string, string | string[] | undefined>) {
  const names = shapeOf(operation).queryNames;
  const known: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) if (names.has(name) && value !== undefined) known[name] = value;
  return known;
}
