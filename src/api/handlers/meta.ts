import type { Context } from 'koa';
import type { Knex } from 'knex';
import { DatabaseUnavailable } from '../../core/errors';
import { ifNoneMatchHits } from '../../core/etag';
import { documentServer, type Contract } from '../contract';
import type { OperationHandler } from '../operations';

/**
 * Sends a cacheable representation, or 304 when the client's copy (If-None-Match) is current.
 * One that names the origin the client used may be kept by that client only: a shared cache
 * must never hand one client's Host (or X-Forwarded-Host) to another.
 */
function sendCacheable(ctx: Context, type: string, body: string, etag: string, shared: boolean) {
  ctx.set('Cache-Control', shared ? 'public, max-age=300' : 'private, max-age=300');
  if (!shared) ctx.vary(['Host', 'X-Forwarded-Host', 'X-Forwarded-Proto']);
  ctx.set('ETag', etag);
  if (ifNoneMatchHits(ctx.get('If-None-Match') || undefined, etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.body = body;
}

export function metaHandlers(deps: { knex: Knex; contract: Contract; publicUrl: string | undefined }) {
  const served = documentServer(deps.contract);
  const { publicUrl } = deps;
  /** The origin named in `servers`: the configured one, else the one the request came in on. */
  const originOf = (ctx: Context) => publicUrl ?? `${ctx.protocol}://${ctx.host}`;
  const { title, version } = deps.contract.document.info;
  return {
    getIndex: (async (_req, ctx) => {
      ctx.body = {
        name: title,
        version,
        links: {
          docs: '/docs',
          redoc: '/docs/redoc',
          openapi_json: '/openapi.json',
          openapi_yaml: '/openapi.yaml',
          health: '/health',
          ready: '/ready',
        },
      };
    }) satisfies OperationHandler<'getIndex'>,

    getHealth: (async (_req, ctx) => {
      ctx.body = { status: 'ok' };
    }) satisfies OperationHandler<'getHealth'>,

    getReady: (async (_req, ctx) => {
      try {
        await deps.knex.raw('select 1');
      } catch (err) {
        throw DatabaseUnavailable(err);
      }
      ctx.body = { status: 'ok' };
    }) satisfies OperationHandler<'getReady'>,

    getOpenApiJson: (async (_req, ctx) => {
      const doc = served(originOf(ctx));
      sendCacheable(ctx, 'application/json', doc.json, doc.etags.json, publicUrl !== undefined);
    }) satisfies OperationHandler<'getOpenApiJson'>,

    getOpenApiYaml: (async (_req, ctx) => {
      const doc = served(originOf(ctx));
      sendCacheable(ctx, 'application/yaml', doc.yaml, doc.etags.yaml, publicUrl !== undefined);
    }) satisfies OperationHandler<'getOpenApiYaml'>,
  };
}
