import * as sdk from '../../generated/sdk.gen';
import type { Client } from '../../generated/client';
import type { Task } from '../../generated/types.gen';
import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
let alice: Client;

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.clientFor('alice');
});
afterAll(() => app.stop());

async function create(body: Parameters<typeof sdk.createTask>[0]['body'] = { title: 'Task' }): Promise<Task> {
  return (await sdk.createTask({ client: alice, body })).data!;
}

describe('toggle', () => {
  test('flips an open task to completed and back to pending', async () => {
    const task = await create({ title: 'Flip', status: 'in_progress' });
    const done = await sdk.toggleTask({ client: alice, path: { task_id: task.id } });
    expect(done.response?.status).toBe(200);
    expect(done.data).toMatchObject({ status: 'completed', completed: true, version: 2 });
    expect(done.data!.completed_at).not.toBeNull();
    expect(done.response?.headers.get('etag')).toBe('"2"');
    const open = await sdk.toggleTask({ client: alice, path: { task_id: task.id } });
    expect(open.data).toMatchObject({ status: 'pending', completed: false, completed_at: null, version: 3 });
  });

  test('works on every route family', async () => {
    const task = await create();
    expect((await sdk.toggleTaskApi({ client: alice, path: { task_id: task.id } })).data!.completed).toBe(true);
    expect((await sdk.toggleTaskForUser({ client: alice, path: { task_id: task.id, user_id: 'alice' } })).data!.completed).toBe(false);
  });
});

describe('complete', () => {
  test('marks a task completed; completing it again changes nothing', async () => {
    const task = await create();
    const first = await sdk.completeTask({ client: alice, path: { task_id: task.id } });
    expect(first.data).toMatchObject({ status: 'completed', completed: true, version: 2 });
    const second = await sdk.completeTask({ client: alice, path: { task_id: task.id } });
    expect(second.response?.status).toBe(200);
    expect(second.data).toEqual(first.data);
  });

  test('{"completed": false} reopens a completed task to pending', async () => {
    const task = await create({ title: 'Reopen', status: 'completed' });
    const res = await sdk.completeTask({ client: alice, path: { task_id: task.id }, body: { completed: false } });
    expect(res.data).toMatchObject({ status: 'pending', completed: false, completed_at: null });
  });

  test('reopening an open task changes nothing', async () => {
    const task = await create({ title: 'Open', status: 'in_progress' });
    const res = await sdk.completeTask({ client: alice, path: { task_id: task.id }, body: { completed: false } });
    expect(res.data).toEqual(task);
  });
});

describe('status and completed are one fact', () => {
  test('PATCH {"completed": true} sets status completed and completed_at', async () => {
    const task = await create();
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { completed: true } });
    expect(res.data).toMatchObject({ status: 'completed', completed: true });
    expect(res.data!.completed_at).not.toBeNull();
  });

  test('PATCH {"completed": false} on a completed task sets pending', async () => {
    const task = await create({ title: 'Done', status: 'completed' });
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { completed: false } });
    expect(res.data).toMatchObject({ status: 'pending', completed: false, completed_at: null });
  });

  test('PATCH {"status": "completed"} sets completed true', async () => {
    const task = await create();
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { status: 'completed' } });
    expect(res.data).toMatchObject({ completed: true });
  });

  test('completed_at is kept while a completed task is edited', async () => {
    const task = await create({ title: 'Keep', status: 'completed' });
    await new Promise((r) => setTimeout(r, 5));
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { title: 'Kept' } });
    expect(res.data!.completed_at).toBe(task.completed_at);
    expect(res.data!.updated_at).not.toBe(task.updated_at);
  });

  test('inconsistent status and completed on PATCH answer 422 and change nothing', async () => {
    const task = await create();
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { status: 'in_progress', completed: true } });
    expect(res.response?.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ location: 'body', rule: 'consistency' }] });
    expect((await sdk.getTask({ client: alice, path: { task_id: task.id } })).data).toEqual(task);
  });

  test('inconsistent status and completed on PUT answer 422', async () => {
    const task = await create();
    const res = await sdk.replaceTask({ client: alice, path: { task_id: task.id }, body: { title: 'x', status: 'completed', completed: false } });
    expect(res.response?.status).toBe(422);
  });
});

describe('optimistic concurrency', () => {
  test('If-Match with the current ETag succeeds; with a stale one answers 412 and the current ETag', async () => {
    const task = await create();
    const ok = await sdk.updateTask({ client: alice, path: { task_id: task.id }, headers: { 'If-Match': '"1"' }, body: { title: 'v2' } });
    expect(ok.response?.status).toBe(200);
    const stale = await sdk.updateTask({ client: alice, path: { task_id: task.id }, headers: { 'If-Match': '"1"' }, body: { title: 'lost' } });
    expect(stale.response?.status).toBe(412);
    expect(stale.response?.headers.get('etag')).toBe('"2"');
    expect((await sdk.getTask({ client: alice, path: { task_id: task.id } })).data!.title).toBe('v2');
  });

  test('If-Match is honoured by PUT, DELETE, toggle and complete', async () => {
    const task = await create();
    const stale = { 'If-Match': '"7"' };
    const path = { task_id: task.id };
    expect((await sdk.replaceTask({ client: alice, path, headers: stale, body: { title: 'x' } })).response?.status).toBe(412);
    expect((await sdk.toggleTask({ client: alice, path, headers: stale })).response?.status).toBe(412);
    expect((await sdk.completeTask({ client: alice, path, headers: stale })).response?.status).toBe(412);
    expect((await sdk.deleteTask({ client: alice, path, headers: stale })).response?.status).toBe(412);
    expect((await sdk.deleteTask({ client: alice, path, headers: { 'If-Match': '"1"' } })).response?.status).toBe(204);
  });

  test('If-Match: * matches any existing task, and a weak tag never matches', async () => {
    const task = await create();
    const star = await sdk.updateTask({ client: alice, path: { task_id: task.id }, headers: { 'If-Match': '*' }, body: { title: 'star' } });
    expect(star.response?.status).toBe(200);
    const weak = await sdk.updateTask({ client: alice, path: { task_id: task.id }, headers: { 'If-Match': 'W/"2"' }, body: { title: 'weak' } });
    expect(weak.response?.status).toBe(412);
  });

  test('a missing task answers 404 before any precondition', async () => {
    const res = await sdk.updateTask({ client: alice, path: { task_id: '7d444840-9dc0-11d1-b245-5ffdce74fad2' }, headers: { 'If-Match': '"1"' }, body: {} });
    expect(res.response?.status).toBe(404);
  });

  test('parallel patches lose no version increment, and the row ends as one of the writes', async () => {
    const task = await create();
    const titles = Array.from({ length: 20 }, (_, i) => `write ${i}`);
    const results = await Promise.all(titles.map((title) => sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { title } })));
    expect(results.every((r) => r.response?.status === 200)).toBe(true);
    const versions = results.map((r) => r.data!.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const final = (await sdk.getTask({ client: alice, path: { task_id: task.id } })).data!;
    expect(final.version).toBe(21);
    expect(titles).toContain(final.title);
  });

  test('of N writers racing with the same ETag exactly one wins', async () => {
    const task = await create();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        sdk.updateTask({ client: alice, path: { task_id: task.id }, headers: { 'If-Match': '"1"' }, body: { title: `racer ${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.response?.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(7);
  });
});
