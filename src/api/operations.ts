import type { AppContext } from '../core/app-state';
import type * as sdk from '../../generated/sdk.gen';

// hey-api has no Koa plugin, so this is the bridge: every operationId of openapi.yaml (read off
// the generated SDK) with the request and response types generated for it. A handler table
// declared with `satisfies HandlerTable` stops compiling when the contract gains, loses or changes
// an operation, or when a handler answers with a body the contract does not declare.

type Sdk = typeof sdk;
export type OperationId = { [K in keyof Sdk]: Sdk[K] extends (...args: never[]) => unknown ? K : never }[keyof Sdk];

type DataOf<K extends OperationId> = NonNullable<Parameters<Sdk[K]>[0]>;
type Part<D, P extends string> = D extends { [key in P]?: infer T } ? T : undefined;

/**
 * The operations anyone may call (`security: []` in the contract). Every other one has a verified
 * caller; tests/unit/operations.test.ts holds this list to the contract.
 */
export const PUBLIC_OPERATIONS = [
  'getIndex',
  'getHealth',
  'getReady',
  'getOpenApiJson',
  'getOpenApiYaml',
  'register',
  'registerApi',
  'login',
  'loginApi',
] as const satisfies readonly OperationId[];

type PublicOperation = (typeof PUBLIC_OPERATIONS)[number];

/** What a handler gets: the validated, coerced request and, on a secured operation, the verified caller. */
export type OperationRequest<K extends OperationId> = {
  body: Part<DataOf<K>, 'body'>;
  path: Part<DataOf<K>, 'path'>;
  query: Part<DataOf<K>, 'query'>;
  ifMatch: string | undefined;
  /** The route family's prefix ('', '/api' or '/api/<owner>'), for Location and Link URLs. */
  prefix: string;
} & (K extends PublicOperation ? unknown : { /** The caller the bearer token stands for. */ userId: string });

/** A body of the operation's success responses, as the generated types say (data of a success). */
type SuccessBody<K extends OperationId> = Extract<Awaited<ReturnType<Sdk[K]>>, { error: undefined }>['data'];

/** What JSON.stringify sends: a Date where the contract says a date-time string. */
type Sendable<T> = T extends string ? T | Date : T extends (infer U)[] ? readonly Sendable<U>[] : T extends object ? { [P in keyof T]: Sendable<T[P]> } : T;

/**
 * What a handler answers: a success status (200 when left out), its headers, and a body of the
 * success type `B` (none for 204 and 304). A string body goes out as is, with `type`.
 */
export interface ReplyOf<B> {
  status?: 200 | 201 | 204 | 304;
  headers?: Record<string, string>;
  body?: Sendable<B> | (B extends object ? never : string);
  /** The media type of a string body (the contract's YAML, say). */
  type?: string;
}

/** The reply of operation K: a body of one of its success responses' types. */
export type Reply<K extends OperationId> = ReplyOf<SuccessBody<K>>;

export type OperationHandler<K extends OperationId> = (req: OperationRequest<K>, ctx: AppContext) => Promise<Reply<K>>;

/** An operation and its aliases under /api and /api/{user_id}: one handler serves them all. */
export type Family<K extends OperationId> = Extract<OperationId, K | `${K}Api` | `${K}ForUser`>;

// Written out rather than as OperationHandler<K>, so one handler serves a route's three families
// (register and registerApi…): compared by shape, not by the operation's name.
export type HandlerTable = { [K in OperationId]: (req: OperationRequest<K>, ctx: AppContext) => Promise<ReplyOf<SuccessBody<K>>> };
