import { HttpProblem, problem, validationProblem } from './problem';

// The catalogue of errors the service throws on purpose, each of one kind of problem
// (src/core/problem-types.ts). One middleware (src/http/error-handler.ts) turns each into
// problem+json; anything not from here becomes a bare 500.

const bearerChallenge = (description: string) =>
  `Bearer realm="tasks", error="invalid_token", error_description="${description}"`;

const retryAfter = (seconds: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(seconds))) });

// --- The request itself ---------------------------------------------------------------------

export const MalformedUrl = (where: 'path' | 'query string') =>
  problem('malformed-url', `Malformed URL: the ${where} has a percent-escape that is not %XX or does not spell UTF-8`);

export const MalformedJson = (why: string) => problem('malformed-json', `Malformed JSON: ${why}`);

export const BadRequest = () => problem('bad-request', 'The request could not be read');

export const BodyNotUtf8 = () => problem('invalid-body-text', 'The request body is not valid UTF-8');

export const UnstorableText = (pointer: string) =>
  problem('invalid-body-text', `The request body holds a NUL character or an unpaired surrogate at ${pointer || '/'}`);

export const PayloadTooLarge = (limit: number | undefined) =>
  problem('payload-too-large', `The request body is larger than ${limit ?? 'the limit of'} bytes`);

export const UnsupportedMediaType = (detail: string) => problem('unsupported-media-type', detail);

export const RouteNotFound = (detail: string) => problem('route-not-found', detail);

export const MethodNotAllowed = (detail: string, allowed: string[]) => problem('method-not-allowed', detail, { headers: { Allow: allowed.join(', ') } });

export const NotAcceptable = (produces: string[]) => problem('not-acceptable', `This operation answers with ${produces.join(' or ')}`);

export const NotImplemented = () => problem('not-implemented', 'Not implemented');

// --- Who is asking ----------------------------------------------------------------------------

export const MissingAuthentication = () =>
  problem('missing-authentication', 'Missing authentication', { headers: { 'WWW-Authenticate': 'Bearer realm="tasks"' } });

export const TokenExpired = () => problem('token-expired', 'Token expired', { headers: { 'WWW-Authenticate': bearerChallenge('Token expired') } });

export const InvalidToken = () => problem('invalid-token', 'Invalid token', { headers: { 'WWW-Authenticate': bearerChallenge('Invalid token') } });

/** One answer for an unknown email and a wrong password: nothing tells them apart. */
export const LoginFailed = () =>
  problem('login-failed', 'Invalid email or password', { headers: { 'WWW-Authenticate': 'Bearer realm="tasks"' } });

export const OwnerMismatch = () => problem('owner-mismatch', 'user_id does not match the authenticated user');

export const TooManyRequests = (retryAfterSeconds: number) =>
  problem('too-many-requests', 'Too many attempts, retry later', { headers: retryAfter(retryAfterSeconds) });

// --- What it asks for -------------------------------------------------------------------------

export const TaskOfAnotherUser = () => problem('task-of-another-user', 'This task belongs to another user');

export const TaskNotFound = () => problem('task-not-found', 'Task not found');

export const StaleETag = (currentETag: string) =>
  problem('precondition-failed', 'The task has changed since the given ETag', { headers: { ETag: currentETag } });

export const Conflict = (detail: string) => problem('conflict', detail);

export const EmailTaken = () => problem('email-taken', 'An account with this email already exists');

export const InconsistentCompletion = () =>
  validationProblem([
    {
      location: 'body',
      field: '/completed',
      message: 'completed must agree with status (completed is true exactly when status is "completed")',
      rule: 'consistency',
    },
  ]);

export const BlankTitle = () => validationProblem([{ location: 'body', field: '/title', message: 'must not be blank', rule: 'blank' }]);

export const InvalidCursor = (why: string) => validationProblem([{ location: 'query', field: 'cursor', message: why, rule: 'cursor' }]);

export const InvalidField = (field: string, rule: string, message: string) => validationProblem([{ location: 'body', field, message, rule }]);

// --- The service and what it depends on ------------------------------------------------------

export const InternalError = (cause: unknown) => problem('internal-error', 'An unexpected error occurred', { cause });

export const DatabaseUnavailable = (cause?: unknown) =>
  problem('database-unavailable', 'The database is unavailable, retry shortly', { headers: retryAfter(5), cause });

export const IdentityProviderUnavailable = (cause?: unknown) =>
  problem('identity-provider-unavailable', 'The identity provider is unavailable, retry shortly', { headers: retryAfter(5), cause });

export const ThrottleUnavailable = (cause?: unknown) =>
  problem('sign-in-unavailable', 'Sign-in is briefly unavailable, retry shortly', { headers: retryAfter(5), cause });

export const Starting = () => problem('starting', 'The service is starting: its database is not ready yet, retry shortly', { headers: retryAfter(5) });

/** Writes to one task keep committing under this one: rare, and over by the time the client retries. */
export const TaskBusy = () => problem('task-busy', 'The task is being changed by other requests, retry shortly', { headers: retryAfter(1) });

export { HttpProblem };
