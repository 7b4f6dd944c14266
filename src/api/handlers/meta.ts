import type { Context } from 'koa';
import type { Knex } from 'knex';
import { DatabaseUnavailable } from '../../http/errors';
import { ifNoneMatchHits } from '../../http/etag';
import { documentServer, type Contract } from '../../spec';
import type { OperationHandler } from '../operations';

/** Sends a cacheable representation, or 304 when the client's copy (If-None-Match) is current. */
function sendCacheable(ctx: Context, type: string, body: string, etag: string) {
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.set('ETag', etag);
  if (ifNoneMatchHits(ctx.get('If-None-Match') || undefined, etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.body = body;
}

export function metaHandlers(deps: { knex: Knex; contract: Contract }) {
  const served = documentServer(deps.contract);
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
      const doc = served(`${ctx.protocol}://${ctx.host}`);
      sendCacheable(ctx, 'application/json', doc.json, doc.etags.json);
    }) satisfies OperationHandler<'getOpenApiJson'>,

    getOpenApiYaml: (async (_req, ctx) => {
      const doc = served(`${ctx.protocol}://${ctx.host}`);
      sendCacheable(ctx, 'application/yaml', doc.yaml, doc.etags.yaml);
    }) satisfies OperationHandler<'getOpenApiYaml'>,
  };
}
