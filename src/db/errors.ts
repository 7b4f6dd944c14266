import { DatabaseUnavailable, Conflict, type HttpProblem } from '../core/errors';

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

/**
 * Errors that waiting will not cure: the database does not exist, the credentials or TLS settings
 * are wrong, the role may not connect. Start-up gives up on these at once, with one clear line.
 */
const PERMANENT_CODES = new Map([
  ['3D000', 'the database does not exist'],
  ['28P01', 'the password was refused'],
  ['28000', 'the role may not connect (no such role, or no pg_hba.conf entry for it)'],
  ['42501', 'the role lacks the privilege to connect'],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', "the server's TLS certificate is self-signed"],
  ['SELF_SIGNED_CERT_IN_CHAIN', "the server's TLS certificate chain is self-signed"],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', "the server's TLS certificate cannot be verified"],
  ['ERR_TLS_CERT_ALTNAME_INVALID', "the server's TLS certificate names another host"],
  ['CERT_HAS_EXPIRED', "the server's TLS certificate has expired"],
]);

const PERMANENT_MESSAGES = [
  ['The server does not support SSL connections', 'the server does not speak TLS (drop sslmode=require, or enable TLS on the server)'],
  ['Invalid URL', 'DATABASE_URL is not a connection string'],
  ['password authentication failed', 'the password was refused'],
] as const;

/** Why `err` means the database can never be used as configured, or undefined when retrying may help. */
export function permanentReason(wrapped: unknown): string | undefined {
  const err = driverError(wrapped) as { code?: unknown; message?: unknown } | null;
  if (!err || typeof err !== 'object') return undefined;
  const byCode = typeof err.code === 'string' ? PERMANENT_CODES.get(err.code) : undefined;
  if (byCode) return byCode;
  const message = typeof err.message === 'string' ? err.message : '';
  return PERMANENT_MESSAGES.find(([text]) => message.includes(text))?.[1];
}

/** One line saying what went wrong: the driver's message and its code, never a stack. */
export function describeDatabaseError(wrapped: unknown): string {
  const err = driverError(wrapped) as { code?: unknown; message?: unknown } | null;
  const message = (typeof err?.message === 'string' ? err.message : String(err)).split('\n')[0];
  return typeof err?.code === 'string' ? `${message} (${err.code})` : message;
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
