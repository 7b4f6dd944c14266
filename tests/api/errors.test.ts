import * as sdk from '../../generated/sdk.gen';
import type { Client } from '../../generated/client';
import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
let alice: Client;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ BODY_LIMIT: '16kb' });
  alice = await app.clientFor('alice');
  token = await app.createUser('alice');
});
afterAll(() => app.stop());

const json = (body: unknown, extra: Record<string, string> = {}) => ({
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = await res.json();
  expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: res.status, detail: expect.any(String) });
  return body;
}

describe('malformed requests', () => {
  test('malformed JSON answers 400 with the parse error', async () => {
    const res = await app.request('/tasks', { method: 'POST', ...json('{"title": ') });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).detail).toMatch(/^Malformed JSON: /);
  });

  test('a JSON body that is not an object answers 422 (rule type, on the body as a whole)', async () => {
    for (const body of ['"just a string"', '[1,2]']) {
      const res = await app.request('/tasks', { method: 'POST', ...json(body) });
      expect(res.status).toBe(422);
      expect((await problemOf(res)).errors).toEqual([{ location: 'body', field: '', message: 'must be object', rule: 'type' }]);
    }
  });

  test('a body over BODY_LIMIT answers 413', async () => {
    const res = await app.request('/tasks', { method: 'POST', ...json({ title: 'x', description: 'y'.repeat(20_000) }) });
    expect(res.status).toBe(413);
    await problemOf(res);
  });

  test('an unsupported Content-Type answers 415', async () => {
    const res = await app.request('/tasks', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'title=x',
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).detail).toContain('application/json');
  });

  test('merge-patch is accepted only where the contract says so', async () => {
    const res = await app.request('/tasks', { method: 'POST', ...json({ title: 'x' }, { 'content-type': 'application/merge-patch+json' }) });
    expect(res.status).toBe(415);
  });

  test('an Accept header that excludes JSON answers 406', async () => {
    const res = await app.request('/tasks', { headers: { authorization: `Bearer ${token}`, accept: 'text/html' } });
    expect(res.status).toBe(406);
    await problemOf(res);
  });

  test.each([
    ['/tasks', 'application/json; charset=utf-8'],
    ['/tasks', 'Application/JSON'],
    ['/tasks', 'application/json;charset="UTF-8";q=0.8, text/html'],
    ['/tasks', 'text/html;q=0.9, application/*;level=1'],
    ['/openapi.yaml', 'application/yaml; charset=utf-8'],
    ['/openapi.yaml', 'APPLICATION/YAML'],
    ['/health', 'application/json;charset=utf-8'],
  ])('GET %s with Accept %p is answered (media-type parameters and case never fail negotiation)', async (path, accept) => {
    const res = await app.request(path, { headers: { authorization: `Bearer ${token}`, accept } });
    expect(res.status).toBe(200);
  });
});

describe('routing', () => {
  test('an unknown path answers 404 problem+json', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    await problemOf(res);
  });

  test('a known path with an unknown method answers 405 with Allow', async () => {
    const res = await app.request('/tasks', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, HEAD');
    await problemOf(res);
  });

  test('404 and 405 come before the body is looked at', async () => {
    expect((await app.request('/nope', { method: 'POST', ...json('{oops') })).status).toBe(404);
    expect((await app.request('/tasks', { method: 'PUT', ...json('{oops') })).status).toBe(405);
  });
});

describe('order of checks', () => {
  test('the body is checked before authentication (400 without a token)', async () => {
    const res = await app.request('/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(res.status).toBe(400);
  });

  test('authentication is checked before validation (401 for an invalid body without a token)', async () => {
    const res = await app.request('/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  test('validation comes before the ownership check (422 before 404)', async () => {
    const res = await sdk.updateTask({ client: alice, path: { task_id: '7d444840-9dc0-11d1-b245-5ffdce74fad2' }, body: { title: '' } });
    expect(res.response?.status).toBe(422);
  });

  test('a named-rule 422 (blank title) also comes before 404', async () => {
    const res = await sdk.updateTask({ client: alice, path: { task_id: '7d444840-9dc0-11d1-b245-5ffdce74fad2' }, body: { title: '   ' } });
    expect(res.response?.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ location: 'body', field: '/title', rule: 'blank' }] });
  });
});

describe('field-level 422s', () => {
  test('every failing field is named with location, JSON pointer and rule', async () => {
    const res = await app.request('/tasks', {
      method: 'POST',
      ...json({ description: 'd'.repeat(10_001), status: 'done', priority: 'urgent', due_date: 'tomorrow', colour: 'red' }),
    });
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    const byField = Object.fromEntries(body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule]));
    expect(byField).toEqual({
      '/title': 'required',
      '/description': 'maxLength',
      '/status': 'enum',
      '/priority': 'enum',
      '/due_date': 'format',
      '/colour': 'additionalProperties',
    });
    for (const e of body.errors) expect(e).toEqual({ location: 'body', field: e.field, message: expect.any(String), rule: e.rule });
  });

  test('a title over 255 characters answers 422 maxLength', async () => {
    const res = await sdk.createTask({ client: alice, body: { title: 'x'.repeat(256) } });
    expect(res.response?.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ field: '/title', rule: 'maxLength' }] });
  });

  test('a blank title answers 422 with the named rule blank', async () => {
    const res = await sdk.createTask({ client: alice, body: { title: ' \t ' } });
    expect(res.response?.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ location: 'body', field: '/title', rule: 'blank' }] });
  });

  test('null for a non-nullable field answers 422', async () => {
    const res = await app.request('/tasks', { method: 'POST', ...json({ title: null }) });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0]).toMatchObject({ field: '/title', rule: 'type' });
  });

  test('a bad UUID in the path names the path parameter', async () => {
    const res = await sdk.getTask({ client: alice, path: { task_id: 'not-a-uuid' } });
    expect(res.response?.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ location: 'path', field: 'task_id', rule: 'format' }] });
  });

  test('bad query parameters are named by their name', async () => {
    const res = await app.request('/tasks?limit=0&status=nope&completed=maybe&sort=title', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(422);
    const fields = (await res.json()).errors.map((e: { location: string; field: string }) => `${e.location}:${e.field}`).sort();
    expect(fields).toEqual(['query:completed', 'query:limit', 'query:sort', 'query:status']);
  });

  test('status and completed that disagree answer 422 consistency', async () => {
    const res = await sdk.createTask({ client: alice, body: { title: 'x', status: 'pending', completed: true } });
    expect(res.response?.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ rule: 'consistency' }] });
  });
});

describe('request ids and headers', () => {
  test('every response carries X-Request-Id; a sane one is echoed', async () => {
    const res = await app.request('/health', { headers: { 'x-request-id': 'abc.DEF-123_x' } });
    expect(res.headers.get('x-request-id')).toBe('abc.DEF-123_x');
    const problem = await app.request('/nope', { headers: { 'x-request-id': 'abc.DEF-123_x' } });
    expect((await problem.json()).request_id).toBe('abc.DEF-123_x');
  });

  test('responses are never sniffed as another type', async () => {
    const res = await app.request('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('HEAD is answered like GET, without a body', async () => {
    const res = await app.request('/health', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});
