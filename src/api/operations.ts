import type { Context as KoaContext } from 'koa';
import type * as sdk from '../../generated/sdk.gen';

// hey-api has no Koa plugin, so this is the bridge: every operationId of openapi.yaml (read off
// the generated SDK) with the request types generated for it. A handler table declared with
// `satisfies HandlerTable` stops compiling when the contract gains, loses or changes an operation.

type Sdk = typeof sdk;
export type OperationId = { [K in keyof Sdk]: Sdk[K] extends (...args: never[]) => unknown ? K : never }[keyof Sdk];

type DataOf<K extends OperationId> = NonNullable<Parameters<Sdk[K]>[0]>;
type Part<D, P extends string> = D extends { [key in P]?: infer T } ? T : undefined;

/** What a handler gets: the validated, coerced request and the authenticated caller. */
export interface OperationRequest<K extends OperationId> {
  body: Part<DataOf<K>, 'body'>;
  path: Part<DataOf<K>, 'path'>;
  query: Part<DataOf<K>, 'query'>;
  /** Verified caller id; empty for the operations that take no token. */
  userId: string;
  ifMatch: string | undefined;
  /** The route family's prefix ('', '/api' or '/api/{user_id}'), for Location and Link URLs. */
  prefix: string;
}

export type OperationHandler<K extends OperationId> = (req: OperationRequest<K>, ctx: KoaContext) => Promise<void>;

export type HandlerTable = { [K in OperationId]: OperationHandler<K> };
