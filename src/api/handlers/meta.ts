import type { Knex } from 'knex';
import { DatabaseUnavailable } from '../../http/errors';
import type { Contract } from '../../spec';
import type { OperationHandler } from '../operations';

export function metaHandlers(deps: { knex: Knex; contract: Contract }) {
  const json = JSON.stringify(deps.contract.document);
  return {
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
      ctx.type = 'application/json';
      ctx.body = json;
    }) satisfies OperationHandler<'getOpenApiJson'>,

    getOpenApiYaml: (async (_req, ctx) => {
      ctx.type = 'application/yaml';
      ctx.body = deps.contract.yaml;
    }) satisfies OperationHandler<'getOpenApiYaml'>,
  };
}
