import type { Knex } from 'knex';
import type { AppContext } from '../../core/app-state';
import { DatabaseUnavailable } from '../../core/errors';
import { ifNoneMatchHits } from '../../core/etag';
import { ping } from '../../db/wait';
import { documentServer, type Contract } from '../contract';
import type { OperationHandler, Reply, ReplyOf } from '../operations';

/**
 * A cacheable representation of the contract, or 304 when the client's copy (If-None-Match) is
 * current. One that names the origin the client used may be kept by that client only: a shared
 * cache must never hand one client's Host (or X-Forwarded-Host) to another.
 */
function cacheable(ctx: AppContext, type: string, body: string, etag: string, shared: boolean): ReplyOf<string> {
  const headers = { 'Cache-Control': shared ? 'public, max-age=300' : 'private, max-age=300', ETag: etag };
  if (!shared) ctx.vary(['Host', 'X-Forwarded-Host', 'X-Forwarded-Proto']);
  if (ifNoneMatchHits(ctx.get('If-None-Match') || undefined, etag)) return { status: 304, headers };
  return { headers, type, body };
}

export function metaHandlers(deps: { knex: Knex; contract: Contract; publicUrl: string | undefined }) {
  const served = documentServer(deps.contract);
  const { publicUrl } = deps;
  /** The origin named in `servers`: the configured one, else the one the request came in on. */
  const originOf = (ctx: AppContext) => publicUrl ?? `${ctx.protocol}://${ctx.host}`;
  const { title, version } = deps.contract.document.info;
  return {
    getIndex: (async () => ({
      body: {
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
      },
    })) satisfies OperationHandler<'getIndex'>,

    getHealth: (async () => ({ body: { status: 'ok' as const } })) satisfies OperationHandler<'getHealth'>,

    getReady: (async () => {
      try {
        await ping(deps.knex);
      } catch (err) {
        throw DatabaseUnavailable(err);
      }
      return { body: { status: 'ok' as const } };
    }) satisfies OperationHandler<'getReady'>,

    getOpenApiJson: (async (_req, ctx) => {
      const doc = served(originOf(ctx));
      // The document goes out as the JSON text it was rendered to once, not re-serialised per request.
      return cacheable(ctx, 'application/json', doc.json, doc.etags.json, publicUrl !== undefined) as unknown as Reply<'getOpenApiJson'>;
    }) satisfies OperationHandler<'getOpenApiJson'>,

    getOpenApiYaml: (async (_req, ctx) => {
      const doc = served(originOf(ctx));
      return cacheable(ctx, 'application/yaml', doc.yaml, doc.etags.yaml, publicUrl !== undefined);
    }) satisfies OperationHandler<'getOpenApiYaml'>,
  };
}
