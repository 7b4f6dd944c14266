import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { ApiError, nextLink, TaskApi } from './consumer';

// The whole journey of an SDK user, against a real service: register, log in, CRUD, paging by
// the Link header, and typed problem bodies on errors. The code under test is consumer.ts, which
// knows only generated/; the helpers here only start the service and hand over its URL.

let app: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startTestApp();
  baseUrl = app.baseUrl;
});
afterAll(() => app.stop());

const email = `sdk.${crypto.randomUUID()}@example.org`;
const password = 'correct horse battery staple';

async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('an SDK user', () => {
  test('registers, logs in with the same credentials, and is the same account', async () => {
    const { api, user } = await TaskApi.register(baseUrl, email, password);
    expect(user.email).toBe(email);
    expect(await api.me()).toEqual(user);

    const again = await TaskApi.login(baseUrl, email.toUpperCase(), password);
    expect((await again.me()).id).toBe(user.id);
  });

  test('creates, reads, renames with If-Match, replaces, completes, toggles and deletes a task', async () => {
    const api = await TaskApi.login(baseUrl, email, password);

    const { task, etag, location } = await api.create({ title: 'Write the report', priority: 'high', due_date: '2026-12-15T17:00:00+01:00' });
    expect(task).toMatchObject({ title: 'Write the report', priority: 'high', status: 'pending', due_date: '2026-12-15T16:00:00.000Z', version: 1 });
    expect(location).toBe(`/tasks/${task.id}`);

    const read = await api.get(task.id);
    expect(read.task).toEqual(task);
    expect(read.etag).toBe(etag);

    const renamed = await api.rename(task.id, 'Write the final report', etag);
    expect(renamed).toMatchObject({ title: 'Write the final report', version: 2 });

    const stale = await failure(api.rename(task.id, 'Too late', etag));
    expect(stale.status).toBe(412);
    expect(stale.problem.status).toBe(412);

    const replaced = await api.replace(task.id, { title: 'Replaced', description: 'all new' });
    expect(replaced).toMatchObject({ title: 'Replaced', description: 'all new', priority: 'medium', due_date: null, version: 3 });

    expect(await api.complete(task.id)).toMatchObject({ status: 'completed', completed: true });
    expect(await api.toggle(task.id)).toMatchObject({ status: 'pending', completed: false, completed_at: null });
    expect(await api.complete(task.id, false)).toMatchObject({ status: 'pending' });

    await api.remove(task.id);
    const gone = await failure(api.get(task.id));
    expect(gone.status).toBe(404);
    expect(gone.problem).toMatchObject({ status: 404, title: 'Not Found', detail: 'Task not found' });
  });

  test('pages through its tasks by following the Link header, each task exactly once', async () => {
    const api = await TaskApi.login(baseUrl, email, password);
    const created = [];
    for (let i = 0; i < 7; i++) created.push((await api.create({ title: `page me ${i}`, priority: i % 2 === 0 ? 'low' : 'high' })).task);

    const { tasks, pages } = await api.all({ limit: 2, sort: 'created_at' });
    expect(pages).toBe(4);
    expect(tasks.map((t) => t.id)).toEqual(created.map((t) => t.id));

    const low = await api.all({ limit: 1, priority: 'low', sort: '-created_at' });
    expect(low.tasks.map((t) => t.title)).toEqual(['page me 6', 'page me 4', 'page me 2', 'page me 0']);
    expect(low.pages).toBe(4);
  });

  test('reads typed problem bodies: 422 names each field, 401 says why, 409 for a taken email', async () => {
    const api = await TaskApi.login(baseUrl, email, password);

    const invalid = await failure(api.create({ title: 'x'.repeat(256), priority: 'urgent' as never }));
    expect(invalid.status).toBe(422);
    expect(invalid.fieldErrors.sort()).toEqual(['body:/priority enum', 'body:/title maxLength']);

    const anonymous = TaskApi.withToken(baseUrl, 'not-a-jwt');
    const refused = await failure(anonymous.me());
    expect(refused.status).toBe(401);
    expect(refused.problem.detail).toBe('Invalid token');

    const taken = await failure(TaskApi.register(baseUrl, email, password));
    expect(taken.status).toBe(409);
    expect(taken.problem.type).toEqual(expect.any(String));

    const wrong = await failure(TaskApi.login(baseUrl, email, 'not the password'));
    expect(wrong.status).toBe(401);
    expect(wrong.problem.detail).toBe('Invalid email or password');
  });
});

describe('the consumer', () => {
  test('imports nothing but generated/ (and Node built-ins)', () => {
    const source = fs.readFileSync(path.join(__dirname, 'consumer.ts'), 'utf8');
    const imports = [...source.matchAll(/^\s*(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^(\.\.\/\.\.\/generated\/|node:)/);
  });
});

describe('nextLink', () => {
  test('finds rel="next" among other links and ignores other relations', () => {
    expect(nextLink('</tasks?cursor=a>; rel="next"')).toBe('/tasks?cursor=a');
    expect(nextLink('</tasks?cursor=p>; rel="prev", </tasks?cursor=n>; rel="next"')).toBe('/tasks?cursor=n');
    expect(nextLink('</tasks?cursor=p>; rel="prev"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});
