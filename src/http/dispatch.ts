import type OpenAPIBackend from 'openapi-backend';
import type { AppMiddleware } from '../core/app-state';
import { RouteNotFound } from '../core/errors';
import { declaredQuery } from './route-match';

/**
 * The parsed body as openapi-backend takes it. Its validator reads a string body as raw JSON text
 * and parses it to see that it is well formed; a body that is itself a JSON string (`"hello"`) is
 * therefore handed over as its JSON text, which parses, and which the schema then refuses for its
 * type like any other value of the wrong type.
 */
export const bodyForValidation = (body: unknown) => (typeof body === 'string' ? JSON.stringify(body) : body);

/** The last middleware: the request, matched and its body parsed, goes to the contract's operation (src/api). */
export const dispatch =
  (api: OpenAPIBackend): AppMiddleware =>
  async (ctx) => {
    const operation = ctx.state.operation;
    if (!operation) throw RouteNotFound(`No route ${ctx.path}`); // route-match answers first; never reached
    await api.handleRequest(
      {
        method: ctx.method === 'HEAD' ? 'GET' : ctx.method,
        path: ctx.path,
        query: declaredQuery(operation, ctx.query),
        headers: ctx.headers as Record<string, string | string[]>,
        body: bodyForValidation(ctx.request.body),
      },
      ctx,
    );
  };
