// The client to pass to every operation: hey-api's generated fetch client, whose failures become
// Errors. Done with the client's own error interceptor, which sees every failure with the answer
// (if any) and the request, and whose result is what the call throws or returns as `error`; so
// generated/ stays exactly what `npm run generate` writes.

import { createClient, type Client, type Config } from '../../generated/client/index.js';
import { problemOf, TaskApiError, TaskApiNetworkError } from './errors.js';

/** hey-api's client configuration, with the service's base URL required. */
export type TaskApiClientConfig = Config & { baseUrl: string };

/** Whether fetch's failure is its network error, a TypeError; by name, as it may come from another realm. */
function isTypeError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TypeError';
}

/**
 * What a failure becomes. An error answer: a TaskApiError with its problem. No answer, because
 * fetch itself failed (the Fetch standard rejects with a TypeError on a network error): a
 * TaskApiNetworkError. Anything else is passed on as it is: an abort or timeout the caller asked
 * for, or a failure before any request was made (an invalid base URL, say), already Errors.
 */
export function asTaskApiError(error: unknown, response: Response | undefined, request: Request | undefined): unknown {
  if (response && !response.ok && request) return new TaskApiError(problemOf(error, response.status, response.statusText), response, request);
  if (!response && request && isTypeError(error)) return new TaskApiNetworkError(request, error);
  return error;
}

/**
 * A client for the service at `config.baseUrl`: pass `auth` (a token, or a function returning one)
 * for the task and account routes. A call that fails throws a TaskApiError (the service answered
 * with a problem) or a TaskApiNetworkError (no answer); with `throwOnError: false` the same error is
 * handed back as `error` instead. Pass `throwOnError: true` on each call as well: the generated
 * types follow the call's flag, not the client's, and only then say `data` is always there.
 */
export function createTaskApiClient(config: TaskApiClientConfig): Client {
  const client = createClient({ throwOnError: true, ...config });
  client.interceptors.error.use(asTaskApiError);
  return client;
}
