import { HttpProblem } from '../../src/core/problem';
import { decodeCursor, encodeCursor, formatSort, parseSort, type Position, type Sort } from '../../src/services/cursor';

const ID = '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f';
const NO_FILTERS = '||';

/** The 422 problem decodeCursor throws for these arguments; fails the test when it does not. */
function cursorProblem(raw: string, sort: Sort, filterKey: string): HttpProblem {
  try {
    decodeCursor(raw, sort, filterKey);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpProblem);
    return err as HttpProblem;
  }
  throw new Error(`decodeCursor accepted ${JSON.stringify(raw)}`);
}

function expectCursorRejected(raw: string, sort: Sort, filterKey: string) {
  const problem = cursorProblem(raw, sort, filterKey);
  expect(problem.status).toBe(422);
  expect(problem.errors).toHaveLength(1);
  expect(problem.errors![0]).toMatchObject({ location: 'query', field: 'cursor', rule: 'cursor' });
  expect(problem.errors![0].message).toEqual(expect.any(String));
  return problem;
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const forged = (payload: unknown) => b64(JSON.stringify(payload));

describe('parseSort and formatSort', () => {
  test('no sort means newest first', () => {
    expect(parseSort(undefined)).toEqual({ key: 'created_at', descending: true });
  });

  test.each(['created_at', '-created_at', 'updated_at', '-updated_at', 'due_date', '-due_date', 'priority', '-priority'])(
    '%s survives a parse and format round trip',
    (raw) => {
      expect(formatSort(parseSort(raw))).toBe(raw);
    },
  );

  test('a leading minus means descending', () => {
    expect(parseSort('-priority')).toEqual({ key: 'priority', descending: true });
    expect(parseSort('priority')).toEqual({ key: 'priority', descending: false });
  });
});

describe('a cursor round trip', () => {
  const positions: [string, Position][] = [
    ['created_at', { value: '2026-11-30T09:12:44.512Z', id: ID }],
    ['-created_at', { value: '2026-11-30T09:12:44.512Z', id: ID }],
    ['updated_at', { value: '2026-12-01T00:00:00.000Z', id: ID }],
    ['-updated_at', { value: '2026-12-01T00:00:00.000Z', id: ID }],
    ['due_date', { value: '2026-12-15T17:00:00.000Z', id: ID }],
    ['-due_date', { value: '2026-12-15T17:00:00.000Z', id: ID }],
    ['due_date', { value: null, id: ID }],
    ['-due_date', { value: null, id: ID }],
    ['priority', { value: 'low', id: ID }],
    ['-priority', { value: 'medium', id: ID }],
    ['priority', { value: 'high', id: ID }],
  ];

  test.each(positions)('sorted by %s gives back the position %j', (rawSort, position) => {
    const sort = parseSort(rawSort);

    const cursor = encodeCursor(sort, NO_FILTERS, position);

    expect(decodeCursor(cursor, sort, NO_FILTERS)).toEqual(position);
  });

  test('a cursor is URL-safe as it is, with no padding to escape', () => {
    const cursor = encodeCursor(parseSort('-due_date'), 'completed|high|false', { value: '2026-12-15T17:00:00.000Z', id: ID });

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
  });

  test('a cursor with filters decodes under the same filters', () => {
    const sort = parseSort('priority');
    const cursor = encodeCursor(sort, 'pending|high|false', { value: 'high', id: ID });

    expect(decodeCursor(cursor, sort, 'pending|high|false')).toEqual({ value: 'high', id: ID });
  });
});

describe('a cursor is bound to what it was issued for', () => {
  const position = { value: '2026-11-30T09:12:44.512Z', id: ID };

  test('reusing it with the opposite direction is a 422 on cursor', () => {
    const cursor = encodeCursor(parseSort('-created_at'), NO_FILTERS, position);

    expectCursorRejected(cursor, parseSort('created_at'), NO_FILTERS);
  });

  test('reusing it with another sort key is a 422 on cursor', () => {
    const cursor = encodeCursor(parseSort('-created_at'), NO_FILTERS, position);

    expectCursorRejected(cursor, parseSort('-updated_at'), NO_FILTERS);
  });

  test('reusing it with other filters is a 422 on cursor', () => {
    const cursor = encodeCursor(parseSort('-created_at'), 'pending||', position);

    expectCursorRejected(cursor, parseSort('-created_at'), 'completed||');
    expectCursorRejected(cursor, parseSort('-created_at'), NO_FILTERS);
  });

  test('a cursor issued without filters cannot be reused with one', () => {
    const cursor = encodeCursor(parseSort('-created_at'), NO_FILTERS, position);

    expectCursorRejected(cursor, parseSort('-created_at'), '||true');
  });

  test('the 422 tells the client to start again without the cursor', () => {
    const cursor = encodeCursor(parseSort('-created_at'), NO_FILTERS, position);

    const problem = expectCursorRejected(cursor, parseSort('created_at'), NO_FILTERS);

    expect(problem.errors![0].message).toMatch(/sort|filter/);
  });
});

describe('a cursor this service did not issue is a 422 on cursor', () => {
  const sort = parseSort('-created_at');
  const good = { v: 1, s: '-created_at', f: NO_FILTERS, k: '2026-11-30T09:12:44.512Z', id: ID };

  test('the forged payload the other cases start from is accepted, so each rejection below is about its one change', () => {
    expect(decodeCursor(forged(good), sort, NO_FILTERS)).toEqual({ value: good.k, id: ID });
  });

  test.each([
    ['an empty string', ''],
    ['plain garbage', 'not a cursor!'],
    ['base64 of text that is not JSON', b64('hello, world')],
    ['base64 of a JSON number', b64('42')],
    ['base64 of JSON null', b64('null')],
    ['base64 of a JSON string', b64('"cursor"')],
    ['base64 of a JSON array', b64('[1,"-created_at"]')],
    ['a truncated cursor', forged(good).slice(0, 20)],
  ])('%s', (_name, raw) => {
    expectCursorRejected(raw, sort, NO_FILTERS);
  });

  test.each([
    ['a future version', { ...good, v: 2 }],
    ['a version given as a string', { ...good, v: '1' }],
    ['no version', { ...good, v: undefined }],
    ['an id that is not a UUID', { ...good, id: 'abc' }],
    ['an id with SQL in it', { ...good, id: `${ID}' or '1'='1` }],
    ['a numeric id', { ...good, id: 7 }],
    ['no id', { ...good, id: undefined }],
    ['a sort value that is not a date', { ...good, k: 'yesterday' }],
    ['a null sort value for a column that is never null', { ...good, k: null }],
    ['a numeric sort value', { ...good, k: 1700000000000 }],
  ])('%s', (_name, payload) => {
    expectCursorRejected(forged(payload), sort, NO_FILTERS);
  });

  test('a priority cursor must name a known priority', () => {
    const prioritySort = parseSort('priority');
    const payload = { v: 1, s: 'priority', f: NO_FILTERS, k: 'urgent', id: ID };

    expectCursorRejected(forged(payload), prioritySort, NO_FILTERS);
    expectCursorRejected(forged({ ...payload, k: null }), prioritySort, NO_FILTERS);
  });
});
