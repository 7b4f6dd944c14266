import { wrapError } from 'db-errors';
import { KnexTimeoutError } from 'knex';
import { DatabaseError } from 'pg';
import { isConnectionError, mapDatabaseError } from '../../src/db/errors';
import { HttpProblem } from '../../src/core/problem';

// The errors below are built the way their libraries build them: pg's DatabaseError with every
// field the protocol parser assigns, Node's system errors, knex's KnexTimeoutError, and what an
// Objection query throws (Objection passes every query error through db-errors' wrapError).

/** A server error as pg (and PGlite) deliver it. */
function pgError(code: string, message: string, fields: Partial<DatabaseError> = {}): DatabaseError {
  const err = new DatabaseError(message, message.length + 20, 'error');
  Object.assign(err, {
    severity: 'ERROR',
    code,
    detail: undefined,
    hint: undefined,
    position: undefined,
    internalPosition: undefined,
    internalQuery: undefined,
    where: undefined,
    schema: undefined,
    table: undefined,
    column: undefined,
    dataType: undefined,
    constraint: undefined,
    file: 'postgres.c',
    line: '3333',
    routine: 'ProcessInterrupts',
    ...fields,
  });
  return err;
}

/** A socket error as Node's net module delivers it. */
function systemError(code: string, syscall = 'connect'): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${syscall} ${code} 127.0.0.1:5432`);
  err.code = code;
  err.errno = -111;
  err.syscall = syscall;
  return err;
}

/** The same error as an Objection model query rethrows it. */
const throughObjection = (err: Error) => wrapError(err);

const uniqueViolation = () =>
  pgError('23505', 'duplicate key value violates unique constraint "users_email_key"', {
    detail: 'Key (lower(email))=(alice@example.com) already exists.',
    schema: 'public',
    table: 'users',
    constraint: 'users_email_key',
    routine: '_bt_check_unique',
  });

const statementTimeout = () => pgError('57014', 'canceling statement due to statement timeout');

describe('isConnectionError', () => {
  test.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'])(
    'a socket error %s means the database is unreachable',
    (code) => {
      expect(isConnectionError(systemError(code))).toBe(true);
    },
  );

  test.each(['ENOTFOUND', 'EAI_AGAIN'])('a DNS failure %s means the database is unreachable', (code) => {
    expect(isConnectionError(systemError(code, 'getaddrinfo'))).toBe(true);
  });

  test('a refused connection to every address of a host (an AggregateError with a code) means the database is unreachable', () => {
    const err = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]), { code: 'ECONNREFUSED' });

    expect(isConnectionError(err)).toBe(true);
  });

  test.each([
    ['08000', 'connection_exception'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['08006', 'connection_failure'],
    ['08P01', 'protocol_violation'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['53300', 'sorry, too many clients already'],
    ['57014', 'canceling statement due to statement timeout'],
  ])('a server error %s (%s) means the database is unavailable', (code, message) => {
    expect(isConnectionError(pgError(code, message))).toBe(true);
  });

  test('a timeout acquiring a pool connection means the database is unavailable', () => {
    const err = new KnexTimeoutError(
      'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
    );

    expect(isConnectionError(err)).toBe(true);
  });

  test.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('pg\'s message %j means the database is unavailable', (message) => {
    expect(isConnectionError(new Error(message))).toBe(true);
  });

  test('a statement timeout in an Objection query still means the database is unavailable', () => {
    expect(isConnectionError(throughObjection(statementTimeout()))).toBe(true);
  });

  test('a server shutting down under an Objection query still means the database is unavailable', () => {
    expect(isConnectionError(throughObjection(pgError('57P01', 'terminating connection due to administrator command')))).toBe(true);
  });

  test.each<[string, unknown]>([
    ['a unique violation', uniqueViolation()],
    ['a missing table', pgError('42P01', 'relation "tasks" does not exist')],
    ['a bad cast', pgError('22P02', 'invalid input syntax for type uuid: "x"')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['an HTTP problem', new HttpProblem('task-not-found', 'Task not found')],
    ['a numeric code', Object.assign(new Error('odd'), { code: 8006 })],
    ['a bare string', 'ECONNREFUSED'],
    ['null', null],
    ['undefined', undefined],
  ])('%s is not a connection error', (_name, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});

describe('mapDatabaseError', () => {
  test('a unique violation is a 409', () => {
    const problem = mapDatabaseError(uniqueViolation());

    expect(problem).toBeInstanceOf(HttpProblem);
    expect(problem!.status).toBe(409);
  });

  test('the 409 says nothing about the constraint, the table or the duplicated value', () => {
    const { detail } = mapDatabaseError(uniqueViolation())!;

    expect(detail).not.toMatch(/users_email_key|alice@example\.com|lower\(email\)|users/);
  });

  test('a unique violation from an Objection query is a 409 too', () => {
    const wrapped = throughObjection(uniqueViolation());

    expect(mapDatabaseError(wrapped)?.status).toBe(409);
  });

  test.each<[string, Error]>([
    ['a refused connection', systemError('ECONNREFUSED')],
    ['a connection failure', pgError('08006', 'connection failure')],
    ['a statement timeout', statementTimeout()],
    ['a pool timeout', new KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.')],
  ])('%s is a 503 with Retry-After in seconds', (_name, err) => {
    const problem = mapDatabaseError(err);

    expect(problem?.status).toBe(503);
    expect(problem!.headers['Retry-After']).toMatch(/^[1-9]\d*$/);
  });

  test('the 503 keeps the original error for the log, but not in its detail', () => {
    const err = systemError('ECONNREFUSED');

    const problem = mapDatabaseError(err)!;

    expect(problem.cause).toBe(err);
    expect(problem.detail).not.toMatch(/127\.0\.0\.1|5432|ECONNREFUSED/);
  });

  test.each<[string, unknown]>([
    ['a missing table', pgError('42P01', 'relation "tasks" does not exist')],
    ['a check violation', pgError('23514', 'new row for relation "tasks" violates check constraint "tasks_title_check"')],
    ['a plain bug', new Error('boom')],
    ['null', null],
    ['a string', 'boom'],
  ])('%s has no known meaning (undefined: the caller makes it a 500)', (_name, err) => {
    expect(mapDatabaseError(err)).toBeUndefined();
  });
});
