import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  createTask,
  createTaskApiClient,
  createTaskForUser,
  getMe,
  itemsOf,
  listTasks,
  listTasksApi,
  listTasksForUser,
  pagesOf,
  TaskApiError,
  TaskApiNetworkError,
} from '@task-api/sdk';
import { contractFetch } from '../helpers/contract';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TaskApi, type Connection } from './consumer';

// The whole journey of an SDK user, against a real service: register, log in, CRUD, paging by the
// Link header on every route family, and failures as TaskApiError carrying the typed problem. The
// code under test is the package (sdk/src, as `@task-api/sdk`) and consumer.ts written on it; the
// helpers here only start the service, hand over its URL, and check every answer against the contract.

let app: TestApp;
let connection: Connection;

beforeAll(async () => {
  app = await startTestApp();
  connection = { baseUrl: app.baseUrl, fetch: contractFetch as typeof fetch };
});
afterAll(() => app.stop());

const email = `sdk.${crypto.randomUUID()}@example.org`;
const password = 'correct horse battery staple';

async function failure(call: Promise<unknown>): Promise<TaskApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TaskApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const fieldErrors = (error: TaskApiError) => (error.problem.errors ?? []).map((e) => `${e.location}:${e.field} ${e.rule}`).sort();

describe('an SDK user', () => {
  test('registers, logs in with the same credentials, and is the same account', async () => {
    const { api, user } = await TaskApi.register(connection, email, password);
    expect(user.email).toBe(email);
    expect(await api.me()).toEqual(user);

    const again = await TaskApi.login(connection, email.toUpperCase(), password);
    expect((await again.me()).id).toBe(user.id);
  });

  test('creates, reads, renames with If-Match, replaces, completes, toggles and deletes a task', async () => {
    const api = await TaskApi.login(connection, email, password);

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
    expect(stale.problem).toMatchObject({ status: 412, type: '/problems/precondition-failed' });

    const replaced = await api.replace(task.id, { title: 'Replaced', description: 'all new' });
    expect(replaced).toMatchObject({ title: 'Replaced', description: 'all new', priority: 'medium', due_date: null, version: 3 });

    expect(await api.complete(task.id)).toMatchObject({ status: 'completed', completed: true });
    expect(await api.toggle(task.id)).toMatchObject({ status: 'pending', completed: false, completed_at: null });
    expect(await api.complete(task.id, false)).toMatchObject({ status: 'pending' });

    await api.remove(task.id);
    const gone = await failure(api.get(task.id));
    expect(gone.status).toBe(404);
    expect(gone.problem).toMatchObject({ status: 404, type: '/problems/task-not-found', title: 'Not Found', detail: 'Task not found' });
    expect(gone.message).toBe(`404 Not Found: Task not found (GET /tasks/${task.id})`);
  });

  test('pages through its tasks by following the Link header, each task exactly once', async () => {
    const api = await TaskApi.login(connection, email, password);
    const created = [];
    for (let i = 0; i < 7; i++) created.push((await api.create({ title: `page me ${i}`, priority: i % 2 === 0 ? 'low' : 'high' })).task);

    const { tasks, pages } = await api.all({ limit: 2, sort: 'created_at' });
    expect(pages).toBe(4);
    expect(tasks.map((t) => t.id)).toEqual(created.map((t) => t.id));

    const low = await api.all({ limit: 1, priority: 'low', sort: '-created_at' });
    expect(low.tasks.map((t) => t.title)).toEqual(['page me 6', 'page me 4', 'page me 2', 'page me 0']);
    expect(low.pages).toBe(4);
  });

  test('reads typed problems: 422 names each field, 401 says why, 409 for a taken email', async () => {
    const api = await TaskApi.login(connection, email, password);

    const invalid = await failure(api.create({ title: 'x'.repeat(256), priority: 'urgent' as never }));
    expect(invalid.status).toBe(422);
    expect(invalid.type).toBe('/problems/validation-failed');
    expect(fieldErrors(invalid)).toEqual(['body:/priority enum', 'body:/title maxLength']);

    const refused = await failure(TaskApi.withToken(connection, 'not-a-jwt').me());
    expect(refused.status).toBe(401);
    expect(refused.problem).toMatchObject({ type: '/problems/invalid-token', detail: 'Invalid token' });

    const taken = await failure(TaskApi.register(connection, email, password));
    expect(taken.status).toBe(409);
    expect(taken.problem.type).toBe('/problems/email-taken');

    const wrong = await failure(TaskApi.login(connection, email, 'not the password'));
    expect(wrong.status).toBe(401);
    expect(wrong.problem).toMatchObject({ type: '/problems/login-failed', detail: 'Invalid email or password' });
  });
});

describe('the paginator', () => {
  test('follows the Link header on /api/tasks and /api/{user_id}/tasks too, whatever the owner id holds', async () => {
    const owner = `auth0|ü ${crypto.randomUUID()}/tasks`;
    const client = createTaskApiClient({ ...connection, auth: await app.createUser(owner) });
    for (let i = 0; i < 5; i++) await createTaskForUser({ client, path: { user_id: owner }, body: { title: `t${i}` }, throwOnError: true });

    const viaApi = [];
    for await (const page of pagesOf(listTasksApi, { client, query: { limit: 2, sort: 'created_at' } })) viaApi.push(page);
    expect(viaApi.map((page) => page.items.map((task) => task.title))).toEqual([['t0', 't1'], ['t2', 't3'], ['t4']]);
    expect(viaApi.map((page) => page.next?.pathname)).toEqual(['/api/tasks', '/api/tasks', undefined]);

    const viaOwner = [];
    for await (const page of pagesOf(listTasksForUser, { client, path: { user_id: owner }, query: { limit: 2, sort: 'created_at' } })) viaOwner.push(page);
    expect(viaOwner.map((page) => page.items.length)).toEqual([2, 2, 1]);
    expect(viaOwner[0]!.next?.pathname).toBe(`/api/${encodeURIComponent(owner)}/tasks`);
  });

  /** A fetch that answers as a proxy might: the Link header rewritten, in a new Response (whose url is empty). */
  const rewritingLink = (rewrite: (link: string) => string): typeof fetch => async (input, init) => {
    const answer = await contractFetch(input as RequestInfo, init);
    const link = answer.headers.get('link');
    if (!link) return answer;
    const headers = new Headers(answer.headers);
    headers.set('link', rewrite(link));
    return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
  };

  test('follows an absolute next link, and one carried by a response without a URL (resolved against the request)', async () => {
    const token = await app.createUser(crypto.randomUUID());
    const client = createTaskApiClient({ baseUrl: app.baseUrl, fetch: rewritingLink((link) => link.replace('<', `<${app.baseUrl}`)), auth: token });
    for (let i = 0; i < 3; i++) await createTask({ client, body: { title: `a${i}` }, throwOnError: true });

    const titles = [];
    for await (const task of itemsOf(listTasks, { client, query: { limit: 1, sort: 'created_at' } })) titles.push(task.title);
    expect(titles).toEqual(['a0', 'a1', 'a2']);
  });

  test('stops with the TaskApiError of a next page that fails', async () => {
    const token = await app.createUser(crypto.randomUUID());
    const client = createTaskApiClient({ baseUrl: app.baseUrl, fetch: rewritingLink((link) => link.replace(/cursor=[^&>]*/, 'cursor=not-a-cursor')), auth: token });
    for (let i = 0; i < 3; i++) await createTask({ client, body: { title: `s${i}` }, throwOnError: true });

    const pages: unknown[] = [];
    const refused = await failure(
      (async () => {
        for await (const page of pagesOf(listTasks, { client, query: { limit: 1 } })) pages.push(page);
      })(),
    );
    expect(pages).toHaveLength(1);
    expect(refused.status).toBe(422);
    expect(fieldErrors(refused)).toEqual(['query:cursor cursor']);
  });

  test('fetches no page that is not asked for', async () => {
    const token = await app.createUser(crypto.randomUUID());
    const urls: string[] = [];
    const counting: typeof fetch = async (input, init) => {
      urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return contractFetch(input as RequestInfo, init);
    };
    const client = createTaskApiClient({ baseUrl: app.baseUrl, fetch: counting, auth: token });
    for (let i = 0; i < 3; i++) await createTask({ client, body: { title: `n${i}` }, throwOnError: true });
    urls.length = 0;

    for await (const page of pagesOf(listTasks, { client, query: { limit: 1 } })) {
      expect(page.next).toBeDefined();
      break;
    }
    expect(urls).toEqual([`${app.baseUrl}/tasks?limit=1`]);
  });
});

describe("the package's client", () => {
  test('hands the TaskApiError back as `error`, a Problem as the generated types say, with throwOnError: false', async () => {
    const client = createTaskApiClient({ ...connection, auth: 'not-a-jwt', throwOnError: false });
    const { data, error, response } = await getMe({ client });
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(TaskApiError);
    expect(error).toMatchObject({ status: 401, type: '/problems/invalid-token', title: 'Unauthorized', detail: 'Invalid token' });
    expect(response?.status).toBe(401);
  });

  test('throws a TaskApiNetworkError naming the service and the reason when nothing answers', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const client = createTaskApiClient({ baseUrl: `http://127.0.0.1:${closed}` });
    const error = await getMe({ client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskApiNetworkError);
    expect((error as Error).message).toBe(`No answer from http://127.0.0.1:${closed} to GET /auth/me: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });
});

describe('the consumer', () => {
  test('imports nothing but the package', () => {
    const source = fs.readFileSync(path.join(__dirname, 'consumer.ts'), 'utf8');
    const imports = [...source.matchAll(/^\s*(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports).toEqual(['@task-api/sdk']);
  });
});
