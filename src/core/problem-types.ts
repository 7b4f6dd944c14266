// Every kind of problem the service answers with, by a stable name. A problem's `type` is the URI
// reference `/problems/<name>`, which the service serves as a page saying what it means and what
// to do (src/http/problem-pages.ts); clients match on `type` (and `status`), never on `detail`,
// which is for people and may change. Adding a kind is a minor change of the contract; renaming
// or removing one is a major one.

export interface ProblemType {
  status: number;
  /** What it means, for the page and the contract (Markdown). */
  means: string;
  /** What the client can do about it. */
  then: string;
}

export const PROBLEM_TYPES = {
  'malformed-url': {
    status: 400,
    means: 'The URL has a percent-escape that is not `%XX` (two hex digits) or whose bytes are not UTF-8, in the path or the query string.',
    then: 'Percent-encode the URL correctly (as `encodeURIComponent` does).',
  },
  'malformed-json': {
    status: 400,
    means: 'The body is not JSON at all (well-formed JSON of the wrong type is a `validation-failed`).',
    then: 'Send the body as JSON; `detail` has the parser’s message.',
  },
  'bad-request': {
    status: 400,
    means: 'The request could not be read: its body ended early, or did not match its `Content-Length`.',
    then: 'Send the request again, whole.',
  },
  'invalid-body-text': {
    status: 400,
    means: 'The body is not valid UTF-8, or holds text PostgreSQL cannot store: U+0000, or an unpaired surrogate escape.',
    then: 'Send UTF-8 without NUL characters; `detail` names where.',
  },
  'missing-authentication': {
    status: 401,
    means: 'The operation needs `Authorization: Bearer <token>` and the request has none.',
    then: 'Get a token from `POST /auth/register` or `/auth/login`, or from your identity provider.',
  },
  'token-expired': { status: 401, means: 'The bearer token has expired.', then: 'Get a new token (log in again, or refresh it at your identity provider).' },
  'invalid-token': {
    status: 401,
    means: 'The bearer token is not one the service accepts: its signature, issuer, audience or subject is wrong, or its account no longer exists.',
    then: 'Get a new token; do not retry this one.',
  },
  'login-failed': {
    status: 401,
    means: 'The email and password do not match an account (the same answer whether or not the email is registered).',
    then: 'Check the email and password.',
  },
  'owner-mismatch': {
    status: 403,
    means: 'A `user_id` in the path, query or body is not the caller’s: identity comes from the token only.',
    then: 'Leave `user_id` out, or send your own.',
  },
  'task-of-another-user': {
    status: 403,
    means: 'The task exists and belongs to another user (only when the service runs with `CROSS_USER_TASK_STATUS=403`; otherwise such a task is not found).',
    then: 'Use one of your own tasks.',
  },
  'task-not-found': { status: 404, means: 'You have no task with this id.', then: 'List your tasks to find the id you meant.' },
  'route-not-found': { status: 404, means: 'No operation of the contract has this path.', then: 'Check the path against `/openapi.json`.' },
  'method-not-allowed': { status: 405, means: 'The path exists, but not with this method.', then: 'Use one of the methods the `Allow` header names.' },
  'not-acceptable': { status: 406, means: 'The `Accept` header rules out every media type the operation answers with.', then: 'Accept `application/json` (or what `detail` names).' },
  'email-taken': { status: 409, means: 'An account with this email already exists (compared case-insensitively).', then: 'Log in instead, or register another email.' },
  conflict: { status: 409, means: 'The write would repeat a value that must be unique.', then: 'Change the value.' },
  'precondition-failed': {
    status: 412,
    means: 'The task has changed since the `ETag` sent in `If-Match`.',
    then: 'Read the task again (the `ETag` header has its current version), redo your change on it, and send that version.',
  },
  'payload-too-large': { status: 413, means: 'The body is larger than the service accepts (`BODY_LIMIT`).', then: 'Send less.' },
  'unsupported-media-type': {
    status: 415,
    means: 'The body’s `Content-Type` or `Content-Encoding` is not one the operation takes.',
    then: 'Send `application/json` (or what `detail` names), uncompressed.',
  },
  'validation-failed': {
    status: 422,
    means: 'The request does not match the contract, or breaks one of its rules: `errors` names every failing field, each with its `rule`.',
    then: 'Fix the fields named in `errors`.',
  },
  'too-many-requests': { status: 429, means: 'Too many attempts from this client or for this account.', then: 'Wait the seconds `Retry-After` says.' },
  'internal-error': {
    status: 500,
    means: 'Something unexpected failed in the service; the details are in its log under the request id.',
    then: 'Retry later; quote `request_id` when reporting it.',
  },
  'not-implemented': { status: 501, means: 'The operation is in the contract but not implemented.', then: 'Report it.' },
  'database-unavailable': { status: 503, means: 'The database did not answer in time.', then: 'Retry after the seconds `Retry-After` says.' },
  'identity-provider-unavailable': {
    status: 503,
    means: 'The identity provider’s keys (its JWKS) could not be fetched to check the token.',
    then: 'Retry after the seconds `Retry-After` says.',
  },
  'sign-in-unavailable': {
    status: 503,
    means: 'The store that counts sign-in attempts did not answer, so sign-in is paused rather than left unthrottled.',
    then: 'Retry after the seconds `Retry-After` says.',
  },
  starting: {
    status: 503,
    means: 'The service is starting and its database is not ready yet; only `/health` answers.',
    then: 'Retry after the seconds `Retry-After` says.',
  },
  'task-busy': {
    status: 503,
    means: 'Other requests kept changing the task while this write was being made.',
    then: 'Retry after the seconds `Retry-After` says.',
  },
} as const satisfies Record<string, ProblemType>;

export type ProblemTypeName = keyof typeof PROBLEM_TYPES;

/** The `type` of a problem of this kind: a URI reference the service serves. */
export const problemTypeUri = (name: ProblemTypeName) => `/problems/${name}`;
