import { HttpProblem, problem, validationProblem } from './problem';

// The catalogue of errors code throws on purpose. One middleware (src/http/error-handler.ts)
// turns each into problem+json; anything not from here becomes a bare 500.

const bearerChallenge = (description: string) =>
  `Bearer realm="tasks", error="invalid_token", error_description="${description}"`;

export const MissingAuthentication = () =>
  problem(401, 'Missing authentication', { headers: { 'WWW-Authenticate': 'Bearer realm="tasks"' } });

export const TokenExpired = () =>
  problem(401, 'Token expired', { headers: { 'WWW-Authenticate': bearerChallenge('Token expired') } });

export const InvalidToken = () =>
  problem(401, 'Invalid token', { headers: { 'WWW-Authenticate': bearerChallenge('Invalid token') } });

export const OwnerMismatch = () => problem(403, 'user_id does not match the authenticated user');

export const TaskOfAnotherUser = () => problem(403, 'This task belongs to another user');

export const TaskNotFound = () => problem(404, 'Task not found');

export const StaleETag = (currentETag: string) =>
  problem(412, 'The task has changed since the given ETag', { headers: { ETag: currentETag } });

export const InconsistentCompletion = () =>
  validationProblem([
    {
      location: 'body',
      field: '/completed',
      message: 'completed must agree with status (completed is true exactly when status is "completed")',
      rule: 'consistency',
    },
  ]);

export const BlankTitle = () =>
  validationProblem([{ location: 'body', field: '/title', message: 'must not be blank', rule: 'blank' }]);

export const InvalidCursor = (why: string) =>
  validationProblem([{ location: 'query', field: 'cursor', message: why, rule: 'cursor' }]);

export const DatabaseUnavailable = (cause?: unknown) =>
  problem(503, 'The database is unavailable, retry shortly', { headers: { 'Retry-After': '5' }, cause });

export const Conflict = (detail: string) => problem(409, detail);

/** Writes to one task keep committing under this one: rare, and over by the time the client retries. */
export const TaskBusy = () => problem(503, 'The task is being changed by other requests, retry shortly', { headers: { 'Retry-After': '1' } });

export const EmailTaken = () => problem(409, 'An account with this email already exists');

/** One answer for an unknown email and a wrong password: nothing tells them apart. */
export const LoginFailed = () =>
  problem(401, 'Invalid email or password', { headers: { 'WWW-Authenticate': 'Bearer realm="tasks"' } });

export const TooManyRequests = (retryAfterSeconds: number) =>
  problem(429, 'Too many attempts, retry later', { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });

export const IdentityProviderUnavailable = (cause?: unknown) =>
  problem(503, 'The identity provider is unavailable, retry shortly', { headers: { 'Retry-After': '5' }, cause });

export const ThrottleUnavailable = (cause?: unknown) =>
  problem(503, 'Sign-in is briefly unavailable, retry shortly', { headers: { 'Retry-After': '5' }, cause });

export const InvalidField = (field: string, rule: string, message: string) =>
  validationProblem([{ location: 'body', field, message, rule }]);

export { HttpProblem };
