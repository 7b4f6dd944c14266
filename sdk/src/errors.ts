// What a failed call throws: an Error a caller can catch with `instanceof` and log with a stack,
// carrying what the service said. The generated client alone throws the parsed body itself, a
// plain object (see client.ts for where these replace it).

import type { FieldError, Problem } from '../../generated/index.js';

/** Whether a parsed body is an RFC 9457 problem as the contract describes it. */
export function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const { type, title, status, detail } = body as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number' && typeof detail === 'string';
}

/**
 * The problem an error response stands for: its body when that is a problem, else one made from the
 * status, as RFC 9457 §4.2.1 does for plain HTTP errors (`about:blank`). Only something between the
 * client and the service (a proxy, a load balancer) answers without a problem body.
 */
export function problemOf(body: unknown, status: number, statusText: string): Problem {
  if (isProblem(body)) return body;
  const text = typeof body === 'string' ? body.trim() : '';
  return {
    type: 'about:blank',
    title: statusText || `HTTP ${status}`,
    status,
    detail: text ? text.slice(0, 500) : 'The answer carried no problem details.',
  };
}

/**
 * The service answered with an error status. The error is also the problem itself (its members are
 * copied onto it), so code written against the generated types, which say a failed call's `error`
 * is a `Problem`, keeps working when the client hands it back instead of throwing it.
 */
export class TaskApiError extends Error implements Problem {
  override readonly name = 'TaskApiError';
  /** The problem's kind, `/problems/<kind>` (or `about:blank`): match on this, not on `detail`. */
  readonly type: string;
  readonly title: string;
  /** The HTTP status of the answer. */
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly request_id?: string;
  /** Every failing field, on a 422. */
  readonly errors?: FieldError[];

  constructor(
    /** The problem+json body as the service sent it. */
    readonly problem: Problem,
    /** The answer (its body already read), for its headers: `Retry-After` on a 429 or 503, say. */
    readonly response: Response,
    request: Request,
  ) {
    super(`${problem.status} ${problem.title}: ${problem.detail} (${request.method} ${new URL(request.url).pathname})`);
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.request_id = problem.request_id;
    this.errors = problem.errors;
  }
}

/** An error's own message; for an AggregateError without one (Node's refused dual-stack connect), its errors'. */
function messageOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return error === undefined ? '' : String(error);
  const { message, errors } = error as { message?: unknown; errors?: unknown };
  if (typeof message === 'string' && message) return message;
  return Array.isArray(errors) ? errors.map(reasonOf).filter(Boolean).join('; ') : '';
}

/**
 * The most specific reason in an error's `cause` chain: `connect ECONNREFUSED 127.0.0.1:3000` rather
 * than `fetch failed`. Errors are read by their shape, not with instanceof: fetch may throw them from
 * another realm (a test runner's VM context, another frame).
 */
export function reasonOf(error: unknown): string {
  let reason = messageOf(error);
  let at = error;
  for (let depth = 0; depth < 10 && typeof at === 'object' && at !== null && 'cause' in at; depth++) {
    at = at.cause;
    reason = messageOf(at) || reason;
  }
  return reason;
}

/** No answer came: the service could not be reached, or the connection broke before it answered. */
export class TaskApiNetworkError extends Error {
  override readonly name = 'TaskApiNetworkError';

  constructor(request: Request, cause: unknown) {
    const url = new URL(request.url);
    super(`No answer from ${url.origin} to ${request.method} ${url.pathname}: ${reasonOf(cause)}`, { cause });
  }
}
