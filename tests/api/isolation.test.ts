import crypto from 'node:crypto';
import type { OpenAPIV3 } from 'openapi-types';
import { send, type Sent } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { deref, document } from '../helpers/spec';
import { createTask } from '../helpers/tasks';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Two users, alice and bob: nothing bob does through any task route may reveal or change one of
// alice's tasks. The operations are read off openapi.yaml, so a route added to the contract is
// covered here without anyone remembering to add it.

// ---------------------------------------------------------------------------------------------
// The task operations, from the contract
// ---------------------------------------------------------------------------------------------

interface Op {
  /** "PATCH /api/{user_id}/tasks/{task_id}/toggle" */
  name: string;
  operationId: string;
  method: string;
  template: string;
  byId: boolean;
  hasPathUserId: boolean;
  hasQueryUserId: boolean;
  /** The JSON body schema, when the operation takes a body. */
  bodySchema?: OpenAPIV3.SchemaObject;
  bodyRequired: boolean;
  /** The declared success status (200, 201, 204). */
  success: number;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

const taskOps: Op[] = Object.entries(document.paths).flatMap(([template, item]) => {
  if (!item || !template.includes('/tasks')) return [];
  return METHODS.filter((method) => item[method]).map((method) => {
    const operation = item[method]!;
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref<OpenAPIV3.ParameterObject>(p));
    const requestBody = operation.requestBody ? deref<OpenAPIV3.RequestBodyObject>(operation.requestBody) : undefined;
    const json = requestBody?.content['application/json']?.schema;
    const success = Object.keys(operation.responses).map(Number).find((status) => status >= 200 && status < 300)!;
    return {
      name: `${method.toUpperCase()} ${template}`,
      operationId: operation.operationId!,
      method: method.toUpperCase(),
      template,
      byId: template.includes('{task_id}'),
      hasPathUserId: template.includes('{user_id}'),
      hasQueryUserId: parameters.some((p) => p.in === 'query' && p.name === 'user_id'),
      bodySchema: json ? deref<OpenAPIV3.SchemaObject>(json) : undefined,
      bodyRequired: requestBody?.required === true,
      success,
    };
  });
});

const byIdOps = taskOps.filter((op) => op.byId);
const listOps = taskOps.filter((op) => !op.byId && op.method === 'GET');
const pathUserOps = taskOps.filter((op) => op.hasPathUserId);
const queryUserOps = taskOps.filter((op) => op.hasQueryUserId);
const bodyUserOps = taskOps.filter((op) => op.bodySchema?.properties?.user_id !== undefined);

function urlFor(op: Op, ids: { taskId?: string; userId?: string }, query?: Record<string, string>): string {
  let url = op.template;
  if (op.byId) url = url.replace('{task_id}', encodeURIComponent(ids.taskId!));
  if (op.hasPathUserId) url = url.replace('{user_id}', encodeURIComponent(ids.userId!));
  if (url.includes('{')) throw new Error(`unfilled path parameter in ${op.template}`);
  return query ? `${url}?${new URLSearchParams(query)}` : url;
}

/** The smallest valid body for the operation that would change a task if it were applied. */
function bodyFor(op: Op, extra: Record<string, unknown> = {}): Record<string, unknown> | undefined {
  if (!op.bodySchema) return Object.keys(extra).length > 0 ? extra : undefined;
  const body: Record<string, unknown> = {};
  const hasTitle = op.bodySchema.properties?.title !== undefined;
  if (hasTitle && (op.bodySchema.required?.includes('title') || op.bodyRequired)) body.title = 'Written by someone else';
  Object.assign(body, extra);
  return Object.keys(body).length > 0 || op.bodyRequired ? body : undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

/** The contract-checked request of tests/helpers/http.ts, with the token and body in this file's order. */
const sendAs = (app: TestApp, token: string | undefined, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  send(app, method, url, { token, body, headers });

function call(app: TestApp, token: string | undefined, op: Op, ids: { taskId?: string; userId?: string }, body?: unknown, headers?: Record<string, string>) {
  return sendAs(app, token, op.method, urlFor(op, ids), body, headers);
}

const NOT_FOUND = 'Task not found';
const OWNER_MISMATCH = 'user_id does not match the authenticated user';

/** Status, headers and body of a response with the things that must differ (ids, dates) masked. */
function shapeOf(sent: Sent, taskId: string) {
  const headers = Object.fromEntries(
    [...sent.res.headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name)),
  );
  const body = JSON.parse(sent.text.split(taskId).join('<task_id>'));
  expect(body.request_id ?? sent.res.headers.get('x-request-id')).toBe(sent.res.headers.get('x-request-id'));
  delete body.request_id;
  return { status: sent.res.status, headers, body };
}

interface Snapshot {
  status: number;
  etag: string | null;
  body: unknown;
}

async function snapshot(app: TestApp, token: string, taskId: string): Promise<Snapshot> {
  const got = await sendAs(app, token, 'GET', `/tasks/${taskId}`);
  return { status: got.res.status, etag: got.res.headers.get('etag'), body: got.json };
}

/** Every task id on every page of a list route, following the Link header. */
async function listAll(app: TestApp, token: string, url: string): Promise<Array<{ id: string; user_id: string }>> {
  const seen: Array<{ id: string; user_id: string }> = [];
  let next: string | undefined = url;
  for (let page = 0; next && page < 100; page++) {
    const got = await sendAs(app, token, 'GET', next);
    expect(got.res.status).toBe(200);
    seen.push(...got.json);
    next = /<([^>]+)>;\s*rel="next"/.exec(got.res.headers.get('link') ?? '')?.[1];
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------

let app: TestApp;
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  app = await startTestApp();
  aliceToken = await app.createUser('alice');
  bobToken = await app.createUser('bob');
});
afterAll(() => app.stop());

describe('the operations under test come from openapi.yaml', () => {
  test('every by-id task operation of every route family is enumerated', () => {
    const names = byIdOps.map((op) => op.name);
    for (const family of ['/tasks', '/api/tasks', '/api/{user_id}/tasks']) {
      expect(names).toEqual(
        expect.arrayContaining([
          `GET ${family}/{task_id}`,
          `PUT ${family}/{task_id}`,
          `PATCH ${family}/{task_id}`,
          `DELETE ${family}/{task_id}`,
          `PATCH ${family}/{task_id}/toggle`,
          `PATCH ${family}/{task_id}/complete`,
        ]),
      );
    }
    expect(listOps.map((op) => op.name)).toEqual(
      expect.arrayContaining(['GET /tasks', 'GET /api/tasks', 'GET /api/{user_id}/tasks']),
    );
  });
});

describe("another user's task answers 404, exactly like a task that does not exist", () => {
  test.each(byIdOps)("$name: bob gets 404 for alice's task, shaped like an unknown id, and her task is unchanged", async (op) => {
    // Arrange
    const task = await createTask(app, aliceToken, { title: 'Alice private', description: 'secret plans', priority: 'high' });
    const before = await snapshot(app, aliceToken, task.id);
    const unknownId = crypto.randomUUID();

    // Act
    const onAlices = await call(app, bobToken, op, { taskId: task.id, userId: 'bob' }, bodyFor(op));
    const onUnknown = await call(app, bobToken, op, { taskId: unknownId, userId: 'bob' }, bodyFor(op));

    // Assert
    expectProblem(onAlices, 404, NOT_FOUND);
    expectProblem(onUnknown, 404, NOT_FOUND);
    expect(shapeOf(onAlices, task.id)).toEqual(shapeOf(onUnknown, unknownId));
    expect(onAlices.res.headers.get('etag')).toBeNull();
    expect(onAlices.text).not.toContain('Alice private');
    expect(onAlices.text).not.toContain('secret plans');
    expect(await snapshot(app, aliceToken, task.id)).toEqual(before);
  });

  test.each(byIdOps)("$name: an If-Match from bob never turns the 404 into a 412 or a success", async (op) => {
    const task = await createTask(app, aliceToken, { title: 'Alice guarded' });
    const before = await snapshot(app, aliceToken, task.id);

    for (const ifMatch of [before.etag!, '*', '"999"']) {
      const sent = await call(app, bobToken, op, { taskId: task.id, userId: 'bob' }, bodyFor(op), { 'if-match': ifMatch });
      expectProblem(sent, 404, NOT_FOUND);
    }

    expect(await snapshot(app, aliceToken, task.id)).toEqual(before);
  });

  test.each(byIdOps)("$name: alice herself still reaches her task on the same route", async (op) => {
    const task = await createTask(app, aliceToken, { title: 'Alice own' });

    const sent = await call(app, aliceToken, op, { taskId: task.id, userId: 'alice' }, bodyFor(op));

    expect(sent.res.status).toBe(op.success);
  });

  test('a task bob creates with the id of alice\'s task gets its own id and leaves hers alone', async () => {
    const task = await createTask(app, aliceToken, { title: 'Alice original' });
    const before = await snapshot(app, aliceToken, task.id);

    const bobs = await createTask(app, bobToken, { title: 'Bob copycat', id: task.id });

    expect(bobs.id).not.toBe(task.id);
    expect(bobs.user_id).toBe('bob');
    expect(await snapshot(app, aliceToken, task.id)).toEqual(before);
    expectProblem(await sendAs(app, bobToken, 'GET', `/tasks/${task.id}`), 404, NOT_FOUND);
  });
});

describe('lists only ever show the caller\'s own tasks', () => {
  let aliceIds: string[];
  let bobIds: string[];

  beforeAll(async () => {
    aliceIds = [];
    for (const body of [
      { title: 'A pending high', priority: 'high', due_date: '2030-01-01T00:00:00Z' },
      { title: 'A done low', priority: 'low', status: 'completed' },
      { title: 'A in progress', status: 'in_progress' },
    ]) {
      aliceIds.push((await createTask(app, aliceToken, body)).id);
    }
    bobIds = [(await createTask(app, bobToken, { title: 'B pending high', priority: 'high', due_date: '2031-01-01T00:00:00Z' })).id];
    bobIds.push((await createTask(app, bobToken, { title: 'B done', status: 'completed' })).id);
  });

  const variants: Array<Record<string, string>> = [
    {},
    { limit: '1' },
    { status: 'pending' },
    { status: 'completed' },
    { status: 'in_progress' },
    { priority: 'high' },
    { priority: 'low' },
    { completed: 'true' },
    { completed: 'false' },
    { sort: 'priority' },
    { sort: '-due_date', limit: '1' },
    { sort: 'updated_at' },
  ];

  test.each(listOps)("$name: no page of bob's list, with any filter or sort, contains alice's tasks", async (op) => {
    for (const query of op.hasQueryUserId ? [...variants, { user_id: 'bob' }] : variants) {
      const tasks = await listAll(app, bobToken, urlFor(op, { userId: 'bob' }, query));
      for (const task of tasks) {
        expect(task.user_id).toBe('bob');
        expect(aliceIds).not.toContain(task.id);
      }
    }
    // The unfiltered list is not empty by accident: bob's own tasks are there.
    const all = (await listAll(app, bobToken, urlFor(op, { userId: 'bob' }, { limit: '1' }))).map((t) => t.id);
    expect(all).toEqual(expect.arrayContaining(bobIds));
  });

  test.each(listOps)("$name: alice's list has her tasks and none of bob's", async (op) => {
    const tasks = await listAll(app, aliceToken, urlFor(op, { userId: 'alice' }, { limit: '2' }));
    expect(tasks.map((t) => t.id)).toEqual(expect.arrayContaining(aliceIds));
    expect(tasks.every((t) => t.user_id === 'alice')).toBe(true);
    for (const id of bobIds) expect(tasks.map((t) => t.id)).not.toContain(id);
  });
});

describe('a user_id that is not the caller answers 403', () => {
  test.each(pathUserOps)('$name with /api/bob/… as alice answers 403 and changes nothing', async (op) => {
    const aliceTask = await createTask(app, aliceToken, { title: 'Alice path check' });
    const bobTask = await createTask(app, bobToken, { title: 'Bob path check' });
    const aliceBefore = await snapshot(app, aliceToken, aliceTask.id);
    const bobBefore = await snapshot(app, bobToken, bobTask.id);
    const aliceCount = (await listAll(app, aliceToken, '/tasks?limit=100')).length;
    const bobCount = (await listAll(app, bobToken, '/tasks?limit=100')).length;

    for (const taskId of op.byId ? [aliceTask.id, bobTask.id, crypto.randomUUID()] : [undefined]) {
      const sent = await call(app, aliceToken, op, { taskId, userId: 'bob' }, bodyFor(op, op.method === 'POST' ? { title: 'Smuggled' } : {}));
      expectProblem(sent, 403, OWNER_MISMATCH);
    }

    expect(await snapshot(app, aliceToken, aliceTask.id)).toEqual(aliceBefore);
    expect(await snapshot(app, bobToken, bobTask.id)).toEqual(bobBefore);
    expect((await listAll(app, aliceToken, '/tasks?limit=100')).length).toBe(aliceCount);
    expect((await listAll(app, bobToken, '/tasks?limit=100')).length).toBe(bobCount);
  });

  test.each(pathUserOps)('$name with /api/alice/… as alice is accepted', async (op) => {
    const task = await createTask(app, aliceToken, { title: 'Alice path ok' });

    const sent = await call(app, aliceToken, op, { taskId: task.id, userId: 'alice' }, bodyFor(op, op.method === 'POST' ? { title: 'Own' } : {}));

    expect(sent.res.status).toBe(op.success);
  });

  test('user ids are compared exactly: /api/ALICE/tasks is not alice', async () => {
    expectProblem(await sendAs(app, aliceToken, 'GET', '/api/ALICE/tasks'), 403, OWNER_MISMATCH);
    expectProblem(await sendAs(app, aliceToken, 'GET', '/tasks?user_id=alice%20'), 403, OWNER_MISMATCH);
  });

  test('the query-parameter check covers at least GET /tasks and GET /tasks/{task_id}', () => {
    expect(queryUserOps.map((op) => op.name)).toEqual(expect.arrayContaining(['GET /tasks', 'GET /tasks/{task_id}']));
  });

  test.each(queryUserOps)('$name?user_id=bob as alice answers 403; ?user_id=alice is accepted', async (op) => {
    const task = await createTask(app, aliceToken, { title: 'Alice query check' });
    const url = (userId: string) =>
      urlFor(op, { taskId: task.id, userId: 'alice' }, { user_id: userId });

    expectProblem(await sendAs(app, aliceToken, op.method, url('bob'), bodyFor(op)), 403, OWNER_MISMATCH);
    const ok = await sendAs(app, aliceToken, op.method, url('alice'), bodyFor(op));

    expect(ok.res.status).toBe(op.success);
    if (op.byId) expect(ok.json.id).toBe(task.id);
    else expect((ok.json as Array<{ id: string }>).map((t) => t.id)).toContain(task.id);
  });

  test('the body check covers POST, PUT, PATCH and DELETE in every family', () => {
    const names = bodyUserOps.map((op) => op.name);
    for (const family of ['/tasks', '/api/tasks', '/api/{user_id}/tasks']) {
      expect(names).toEqual(
        expect.arrayContaining([
          `POST ${family}`,
          `PUT ${family}/{task_id}`,
          `PATCH ${family}/{task_id}`,
          `DELETE ${family}/{task_id}`,
        ]),
      );
    }
  });

  test.each(bodyUserOps)('$name with {"user_id":"bob"} as alice answers 403 and changes nothing', async (op) => {
    const task = await createTask(app, aliceToken, { title: 'Alice body check' });
    const before = await snapshot(app, aliceToken, task.id);
    const countBefore = (await listAll(app, aliceToken, '/tasks?limit=100')).length;

    const sent = await call(app, aliceToken, op, { taskId: task.id, userId: 'alice' }, bodyFor(op, { ...(op.method === 'POST' ? { title: 'Smuggled' } : {}), user_id: 'bob' }));

    expectProblem(sent, 403, OWNER_MISMATCH);
    expect(await snapshot(app, aliceToken, task.id)).toEqual(before);
    expect((await listAll(app, aliceToken, '/tasks?limit=100')).length).toBe(countBefore);
    expect((await listAll(app, bobToken, '/tasks?limit=100')).map((t) => t.user_id).every((u) => u === 'bob')).toBe(true);
  });

  test.each(bodyUserOps)('$name with {"user_id":"alice"} as alice is accepted', async (op) => {
    const task = await createTask(app, aliceToken, { title: 'Alice body ok' });

    const sent = await call(app, aliceToken, op, { taskId: task.id, userId: 'alice' }, bodyFor(op, { ...(op.method === 'POST' ? { title: 'Own' } : {}), user_id: 'alice' }));

    expect(sent.res.status).toBe(op.success);
    if (op.method === 'POST') expect(sent.json.user_id).toBe('alice');
  });

  test('bob cannot reach alice\'s task by naming her as the owner either', async () => {
    const task = await createTask(app, aliceToken, { title: 'Alice named' });
    const before = await snapshot(app, aliceToken, task.id);

    expectProblem(await sendAs(app, bobToken, 'GET', `/api/alice/tasks/${task.id}`), 403, OWNER_MISMATCH);
    expectProblem(await sendAs(app, bobToken, 'GET', `/tasks/${task.id}?user_id=alice`), 403, OWNER_MISMATCH);
    expectProblem(await sendAs(app, bobToken, 'PATCH', `/tasks/${task.id}`, { title: 'Mine now', user_id: 'alice' }), 403, OWNER_MISMATCH);
    expectProblem(await sendAs(app, bobToken, 'GET', '/api/alice/tasks'), 403, OWNER_MISMATCH);

    expect(await snapshot(app, aliceToken, task.id)).toEqual(before);
  });
});

describe('order of checks: 401, then 422, then 403/404', () => {
  test.each(byIdOps)('$name with a malformed task id answers 422 on task_id, for another user and an unknown owner alike', async (op) => {
    for (const userId of ['bob', 'alice']) {
      const sent = await call(app, aliceToken, op, { taskId: 'not-a-uuid', userId }, bodyFor(op));
      expectProblem(sent, 422);
      expect(sent.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'path', field: 'task_id', rule: 'format' })]));
    }
  });

  test('a malformed id with a mismatched query user_id is a 422, not a 403', async () => {
    const sent = await sendAs(app, aliceToken, 'GET', '/tasks/not-a-uuid?user_id=bob');
    expectProblem(sent, 422);
    expect(sent.json.errors).toEqual([expect.objectContaining({ location: 'path', field: 'task_id' })]);
  });

  test('an invalid body with a mismatched body user_id is a 422, not a 403', async () => {
    const task = await createTask(app, aliceToken, { title: 'Alice order' });
    const sent = await sendAs(app, aliceToken, 'PATCH', `/tasks/${task.id}`, { user_id: 'bob', priority: 'urgent' });
    expectProblem(sent, 422);
    expect(sent.json.errors).toEqual([expect.objectContaining({ location: 'body', field: '/priority', rule: 'enum' })]);
  });

  test('an over-long path user_id is a 422, not a 403', async () => {
    const sent = await sendAs(app, aliceToken, 'GET', `/api/${'x'.repeat(256)}/tasks`);
    expectProblem(sent, 422);
    expect(sent.json.errors).toEqual([expect.objectContaining({ location: 'path', field: 'user_id', rule: 'maxLength' })]);
  });

  test('an invalid body sent by bob to alice\'s task is a 422, exactly as for an unknown id', async () => {
    const task = await createTask(app, aliceToken, { title: 'Alice invalid' });
    const unknownId = crypto.randomUUID();

    const onAlices = await sendAs(app, bobToken, 'PUT', `/tasks/${task.id}`, {});
    const onUnknown = await sendAs(app, bobToken, 'PUT', `/tasks/${unknownId}`, {});

    expectProblem(onAlices, 422);
    expect(shapeOf(onAlices, task.id)).toEqual(shapeOf(onUnknown, unknownId));
  });

  test('a mismatched path user_id answers 403 before the task is looked up (unknown id)', async () => {
    expectProblem(await sendAs(app, aliceToken, 'GET', `/api/bob/tasks/${crypto.randomUUID()}`), 403, OWNER_MISMATCH);
  });

  test.each(byIdOps)('$name without a token answers 401 even with a malformed id or another user', async (op) => {
    for (const userId of ['alice', 'bob']) {
      expectProblem(await call(app, undefined, op, { taskId: 'not-a-uuid', userId }, bodyFor(op)), 401, 'Missing authentication');
      expectProblem(await call(app, undefined, op, { taskId: crypto.randomUUID(), userId }, bodyFor(op)), 401, 'Missing authentication');
    }
  });

  test('a bad token with an invalid body answers 401, not 422', async () => {
    const sent = await sendAs(app, 'not.a.token', 'POST', '/api/bob/tasks', { colour: 'red' });
    expectProblem(sent, 401, 'Invalid token');
  });

  test('no token on a list with an invalid limit answers 401, not 422', async () => {
    for (const op of listOps) {
      expectProblem(await sendAs(app, undefined, 'GET', urlFor(op, { userId: 'bob' }, { limit: '0', user_id: 'bob' })), 401, 'Missing authentication');
    }
  });
});

describe('with CROSS_USER_TASK_STATUS=403', () => {
  let strict: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    strict = await startTestApp({ CROSS_USER_TASK_STATUS: '403' });
    alice = await strict.createUser('alice');
    bob = await strict.createUser('bob');
  });
  afterAll(() => strict.stop());

  test.each(byIdOps)("$name: bob gets 403 for alice's existing task, 404 for an unknown id, and her task is unchanged", async (op) => {
    const task = await createTask(strict, alice, { title: 'Alice strict', description: 'still secret' });
    const before = await snapshot(strict, alice, task.id);

    const onAlices = await call(strict, bob, op, { taskId: task.id, userId: 'bob' }, bodyFor(op));
    const onUnknown = await call(strict, bob, op, { taskId: crypto.randomUUID(), userId: 'bob' }, bodyFor(op));

    expectProblem(onAlices, 403);
    expect(onAlices.json.title).toBe('Forbidden');
    expect(onAlices.res.headers.get('etag')).toBeNull();
    expect(onAlices.text).not.toContain('Alice strict');
    expect(onAlices.text).not.toContain('still secret');
    expectProblem(onUnknown, 404, NOT_FOUND);
    expect(await snapshot(strict, alice, task.id)).toEqual(before);
  });

  test.each(byIdOps)('$name: the owner is still served normally', async (op) => {
    const task = await createTask(strict, alice, { title: 'Alice strict own' });

    const sent = await call(strict, alice, op, { taskId: task.id, userId: 'alice' }, bodyFor(op));

    expect(sent.res.status).toBe(op.success);
  });

  test.each(listOps)("$name: bob's list still never contains alice's tasks", async (op) => {
    const task = await createTask(strict, alice, { title: 'Alice strict listed' });

    const tasks = await listAll(strict, bob, urlFor(op, { userId: 'bob' }, { limit: '1' }));

    expect(tasks.map((t) => t.id)).not.toContain(task.id);
    expect(tasks.every((t) => t.user_id === 'bob')).toBe(true);
  });

  test('a malformed task id is still a 422 before the ownership check', async () => {
    const sent = await sendAs(strict, bob, 'GET', '/tasks/not-a-uuid');
    expectProblem(sent, 422);
  });
});
