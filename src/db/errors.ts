import { DatabaseUnavailable, Conflict, type HttpProblem } from '../http/errors';

// Database errors are mapped once, here: unique violation → 409, unreachable → 503.
// Anything else is a bug and stays a 500 (the error handler logs it).

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Knex: Timeout acquiring a connection',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'timeout expired', // pg: connectionTimeoutMillis passed while connecting
];

/** Objection wraps driver errors (db-errors' DBError); the driver's own error is `nativeError`. */
function driverError(err: unknown): unknown {
  const native = (err as { nativeError?: unknown } | null)?.nativeError;
  return native ?? err;
}

export function isConnectionError(wrapped: unknown): boolean {
  const err = driverError(wrapped);
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (e.name === 'KnexTimeoutError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return CONNECTION_MESSAGES.some((m) => message.includes(m));
}

/** A problem for errors with a known meaning, or undefined for the unexpected ones. */
export function mapDatabaseError(err: unknown): HttpProblem | undefined {
  if (isConnectionError(err)) return DatabaseUnavailable(err);
  if (isUniqueViolation(err)) return Conflict('A resource with the same unique value already exists');
  return undefined;
}

/** An insert or update that would repeat a unique value (23505). */
export function isUniqueViolation(err: unknown): boolean {
  return (driverError(err) as { code?: unknown } | null)?.code === '23505';
}

/** An insert or update that names a row another table does not have (23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  return (driverError(err) as { code?: unknown } | null)?.code === '23503';
}
