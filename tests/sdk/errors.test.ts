import { asTaskApiError } from '../../sdk/src/client';
import { isProblem, problemOf, reasonOf, TaskApiError, TaskApiNetworkError } from '../../sdk/src/errors';
import type { Problem } from '../../generated/types.gen';

// What the package's client makes of a failure, without a service: the answers are built here.

const problem: Problem = {
  type: '/problems/validation-failed',
  title: 'Unprocessable Entity',
  status: 422,
  detail: 'The request does not match the contract',
  instance: '/tasks',
  request_id: 'r-1',
  errors: [{ location: 'body', field: '/title', message: 'must NOT have fewer than 1 characters', rule: 'minLength' }],
};
const request = new Request('http://127.0.0.1:3000/tasks?limit=2', { method: 'POST' });

describe('problemOf', () => {
  test('takes a problem body as it is', () => {
    expect(problemOf(problem, 422, 'Unprocessable Entity')).toBe(problem);
  });

  test('makes an about:blank problem from the status when the body is text or some other JSON', () => {
    expect(problemOf('<html>Bad Gateway</html>\n', 502, 'Bad Gateway')).toEqual({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: '<html>Bad Gateway</html>' });
    expect(problemOf({ message: 'nope' }, 500, '')).toEqual({ type: 'about:blank', title: 'HTTP 500', status: 500, detail: 'The answer carried no problem details.' });
    expect(problemOf('x'.repeat(2000), 502, 'Bad Gateway').detail).toHaveLength(500);
  });

  test('isProblem wants type, title, status and detail of the right types', () => {
    expect(isProblem(problem)).toBe(true);
    expect(isProblem({ ...problem, status: '422' })).toBe(false);
    expect(isProblem(null)).toBe(false);
    expect(isProblem('problem')).toBe(false);
  });
});

describe('TaskApiError', () => {
  test('is an Error that says status, title, detail and the request, and is the problem too', () => {
    const error = new TaskApiError(problem, new Response(null, { status: 422 }), request);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TaskApiError');
    expect(error.message).toBe('422 Unprocessable Entity: The request does not match the contract (POST /tasks)');
    expect(error.problem).toBe(problem);
    expect({ type: error.type, title: error.title, status: error.status, detail: error.detail, instance: error.instance, request_id: error.request_id, errors: error.errors }).toEqual(problem);
    expect(error.stack).toContain('TaskApiError');
  });
});

describe('reasonOf', () => {
  test('is the innermost message of the cause chain', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(reasonOf(new TypeError('fetch failed', { cause: refused }))).toBe('connect ECONNREFUSED 127.0.0.1:9');
    expect(reasonOf(new TypeError('fetch failed'))).toBe('fetch failed');
    expect(reasonOf('just text')).toBe('just text');
  });

  test("joins the errors of an AggregateError without a message (Node's refused dual-stack connect)", () => {
    const both = new AggregateError([new Error('connect ECONNREFUSED ::1:9'), new Error('connect ECONNREFUSED 127.0.0.1:9')], '');
    expect(reasonOf(new TypeError('fetch failed', { cause: both }))).toBe('connect ECONNREFUSED ::1:9; connect ECONNREFUSED 127.0.0.1:9');
  });
});

describe("the client's error interceptor", () => {
  test('turns an error answer into a TaskApiError with its problem', () => {
    const response = new Response(null, { status: 422, statusText: 'Unprocessable Entity' });
    const error = asTaskApiError(problem, response, request);
    expect(error).toBeInstanceOf(TaskApiError);
    expect((error as TaskApiError).response).toBe(response);
  });

  test('turns a failed fetch (a TypeError, no answer) into a TaskApiNetworkError naming where it went', () => {
    const cause = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND tasks.invalid') });
    const error = asTaskApiError(cause, undefined, request);
    expect(error).toBeInstanceOf(TaskApiNetworkError);
    expect((error as Error).message).toBe('No answer from http://127.0.0.1:3000 to POST /tasks: getaddrinfo ENOTFOUND tasks.invalid');
    expect((error as Error).cause).toBe(cause);
  });

  test('passes on an abort the caller asked for, and a failure before any request, as they are', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(asTaskApiError(abort, undefined, request)).toBe(abort);
    const invalid = new TypeError('Invalid URL');
    expect(asTaskApiError(invalid, undefined, undefined)).toBe(invalid);
    const parse = new SyntaxError('Unexpected token');
    expect(asTaskApiError(parse, new Response('{', { status: 200 }), request)).toBe(parse);
  });
});
