import http from 'node:http';
import { PassThrough } from 'node:stream';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { wrapError } from 'db-errors';
import { KnexTimeoutError } from 'knex';
import { DatabaseError } from 'pg';
import { toProblem } from '../../src/http/error-handler';
import { InvalidToken, StaleETag } from '../../src/core/errors';
import { HttpProblem, validationProblem } from '../../src/core/problem';

// toProblem turns whatever was thrown into the problem the client gets. The body-parser errors are
// real: koa-bodyparser, configured as in src/app.ts, reads an in-memory request (no socket).

/** What koa-bodyparser throws for this body and these headers, with the app's options. */
async function bodyParserError(body: string, headers: Record<string, string> = {}, limitBytes = 64 * 1024): Promise<unknown> {
  const stream = new PassThrough();
  const req = Object.assign(stream, {
    method: 'POST',
    url: '/tasks',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
  }) as unknown as http.IncomingMessage;
  const ctx = new Koa().createContext(req, new http.ServerResponse(req));
  const parse = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: ['application/merge-patch+json'] },
    jsonLimit: `${limitBytes}b`,
    strict: false,
  });
  stream.end(body);
  try {
    await parse(ctx, async () => undefined);
  } catch (err) {
    return err;
  }
  throw new Error(`koa-bodyparser accepted ${JSON.stringify(body)}`);
}

function pgError(code: string, message: string): DatabaseError {
  return Object.assign(new DatabaseError(message, 100, 'error'), { code, severity: 'ERROR', table: undefined, internalQuery: undefined });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.7:5432`), { code, errno: -111, syscall: 'connect', address: '10.0.0.7', port: 5432 });
}

const body500 = (err: unknown) => JSON.stringify(toProblem(err).toBody('/tasks', 'req-1'));

describe('toProblem: problems thrown on purpose', () => {
  test('an HttpProblem passes through as it is, headers and field errors included', () => {
    const stale = StaleETag('"4"');
    const invalid = validationProblem([{ location: 'body', field: '/title', message: 'too long', rule: 'maxLength' }]);

    expect(toProblem(stale)).toBe(stale);
    expect(toProblem(invalid)).toBe(invalid);
    expect(toProblem(stale).headers).toEqual({ ETag: '"4"' });
  });

  test('a 401 keeps its WWW-Authenticate challenge', () => {
    expect(toProblem(InvalidToken()).headers['WWW-Authenticate']).toMatch(/^Bearer /);
  });
});

describe('toProblem: database errors', () => {
  test('a unique violation is a 409', () => {
    const err = Object.assign(pgError('23505', 'duplicate key value violates unique constraint "users_email_key"'), {
      constraint: 'users_email_key',
    });

    const problem = toProblem(err);

    expect(problem.status).toBe(409);
    expect(problem.detail).not.toContain('users_email_key');
  });

  test.each<[string, Error]>([
    ['a refused connection', systemError('ECONNREFUSED')],
    ['a connection failure (08006)', pgError('08006', 'connection failure')],
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout')],
    ['a pool timeout', new KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.')],
  ])('%s is a 503 with Retry-After', (_name, err) => {
    const problem = toProblem(err);

    expect(problem.status).toBe(503);
    expect(problem.headers['Retry-After']).toMatch(/^[1-9]\d*$/);
  });

  test('a statement timeout under an Objection model query is a 503 too', () => {
    // Objection rethrows every query error through db-errors' wrapError, as here.
    const err = wrapError(pgError('57014', 'canceling statement due to statement timeout'));

    expect(toProblem(err).status).toBe(503);
  });

  test('a unique violation under an Objection model query is a 409 too', () => {
    const err = wrapError(pgError('23505', 'duplicate key value violates unique constraint "users_email_key"'));

    expect(toProblem(err).status).toBe(409);
  });

  test('the 503 body does not reveal where the database is', () => {
    const body = body500(systemError('ECONNREFUSED'));

    expect(body).not.toMatch(/10\.0\.0\.7|5432|ECONNREFUSED|connect/);
  });
});

describe('toProblem: request bodies koa-bodyparser refuses', () => {
  test('a body over the limit is a 413 that names the limit', async () => {
    const err = await bodyParserError(JSON.stringify({ title: 'x'.repeat(200) }), {}, 100);

    const problem = toProblem(err);

    expect(problem.status).toBe(413);
    expect(problem.detail).toContain('100 bytes');
  });

  test('a body over the limit without a Content-Length is a 413 too', async () => {
    const err = await bodyParserError(JSON.stringify({ title: 'x'.repeat(200) }), { 'content-length': '', 'transfer-encoding': 'chunked' }, 100);

    expect(toProblem(err).status).toBe(413);
  });

  test('an unsupported Content-Encoding is a 415 that names it', async () => {
    const err = await bodyParserError('{"title":"x"}', { 'content-encoding': 'compress' });

    const problem = toProblem(err);

    expect(problem.status).toBe(415);
    expect(problem.detail).toContain('compress');
  });

  test('truncated JSON is a 400 that says the JSON is malformed and why', async () => {
    const err = await bodyParserError('{"title": "Buy milk"');

    const problem = toProblem(err);

    expect(problem.status).toBe(400);
    expect(problem.detail).toMatch(/^Malformed JSON: \S.+/);
  });

  test('JSON with a syntax error is a 400 with the parser\'s message', async () => {
    const err = await bodyParserError('{"title": \'single quotes\'}');

    const problem = toProblem(err);

    expect(problem.status).toBe(400);
    expect(problem.detail).toContain((err as Error).message);
  });

  test('a __proto__ key is refused as malformed JSON', async () => {
    const problem = toProblem(await bodyParserError('{"title":"x","__proto__":{"admin":true}}'));

    expect(problem.status).toBe(400);
    expect(problem.detail).toMatch(/^Malformed JSON: /);
  });
});

describe('toProblem: anything unexpected', () => {
  const secrets = [
    ['an Error with internals in its message', new Error('relation "tasks" does not exist: SELECT * FROM tasks WHERE user_id = $1')],
    ['a TypeError from a bug', new TypeError("Cannot read properties of undefined (reading 'version')")],
    ['an unknown database error', pgError('42P01', 'relation "tasks" does not exist')],
    ['an error that claims a 500 status', Object.assign(new Error('pool internals at db.internal:5432'), { status: 500, expose: true })],
    ['a status that is not an HTTP error', Object.assign(new Error('redirect internals'), { status: 302 })],
    ['a status given as a string', Object.assign(new Error('string status internals'), { status: '400' })],
    ['a SyntaxError from the service\'s own code', new SyntaxError('Unexpected token < in JSON at position 0 (from config.json)')],
  ] as const;

  test.each(secrets)('%s is a 500', (_name, err) => {
    expect(toProblem(err).status).toBe(500);
  });

  test.each(secrets)('the 500 for %s says nothing about the cause: no message, no stack, no SQL', (_name, err) => {
    const body = body500(err);

    expect(body).not.toContain(err.message);
    expect(body).not.toContain(err.stack!.split('\n')[1].trim());
    expect(body).not.toMatch(/SELECT|relation|internals|TypeError|SyntaxError|\.ts:|\.js:|stack/i);
  });

  test('the 500 body has only the problem fields, with a generic detail', () => {
    const body = toProblem(new Error('secret')).toBody('/tasks/1', 'req-1');

    expect(body).toEqual({
      type: '/problems/internal-error',
      title: 'Internal Server Error',
      status: 500,
      detail: expect.any(String),
      instance: '/tasks/1',
      request_id: 'req-1',
    });
    expect(body.detail).not.toContain('secret');
  });

  test('the 500 keeps the original error for the log', () => {
    const err = new Error('secret');

    expect(toProblem(err).cause).toBe(err);
  });

  test.each<[string, unknown]>([
    ['a thrown string', 'boom: password=hunter2'],
    ['a thrown number', 42],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { message: 'password=hunter2', stack: 'at secret.ts:1' }],
  ])('%s is a 500 that reveals nothing', (_name, err) => {
    const problem = toProblem(err);

    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem.toBody())).not.toMatch(/boom|hunter2|secret\.ts|42/);
  });

  test('a client error from elsewhere keeps its status but not its message', () => {
    const err = Object.assign(new Error('internal route table dump'), { status: 404, expose: false });

    const problem = toProblem(err);

    expect(problem.status).toBe(404);
    expect(problem.detail).not.toContain('route table');
  });
});

test('a problem built from an HttpProblem subclass instance is not re-wrapped', () => {
  class Teapot extends HttpProblem {
    constructor() {
      super('conflict', 'I am a teapot');
    }
  }
  const teapot = new Teapot();

  expect(toProblem(teapot)).toBe(teapot);
});
