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

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function create(body: Parameters<typeof sdk.createTask>[0]['body']): Promise<Task> {
  const res = await sdk.createTask({ client: alice, body });
  expect(res.response?.status).toBe(201);
  return res.data!;
}

describe('POST /tasks', () => {
  test('creates a task with defaults, a Location and an ETag', async () => {
    const res = await sdk.createTask({ client: alice, body: { title: 'Buy milk' } });
    expect(res.response?.status).toBe(201);
    const task = res.data!;
    expect(task).toMatchObject({
      user_id: 'alice',
      title: 'Buy milk',
      description: null,
      status: 'pending',
      priority: 'medium',
      due_date: null,
      completed: false,
      completed_at: null,
      version: 1,
    });
    expect(task.created_at).toMatch(ISO_UTC);
    expect(task.updated_at).toBe(task.created_at);
    expect(res.response?.headers.get('location')).toBe(`/tasks/${task.id}`);
    expect(res.response?.headers.get('etag')).toBe('"1"');
  });

  test('trims the title and returns due dates in UTC', async () => {
    const task = await create({ title: '  Call mum  ', due_date: '2026-12-24T18:30:00+02:00', priority: 'high' });
    expect(task.title).toBe('Call mum');
    expect(task.due_date).toBe('2026-12-24T16:30:00.000Z');
    expect(task.priority).toBe('high');
  });

  test('creating a completed task sets completed and completed_at', async () => {
    const task = await create({ title: 'Already done', status: 'completed' });
    expect(task.completed).toBe(true);
    expect(task.completed_at).toMatch(ISO_UTC);
    const viaFlag = await create({ title: 'Done by flag', completed: true });
    expect(viaFlag.status).toBe('completed');
  });

  test('read-only fields sent back are ignored', async () => {
    const task = await create({
      title: 'Copy',
      id: '00000000-0000-4000-8000-000000000000',
      version: 99,
      created_at: '2000-01-01T00:00:00Z',
    } as never);
    expect(task.id).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(task.version).toBe(1);
    expect(task.created_at.startsWith('2000')).toBe(false);
  });

  test('under /api the Location stays under /api', async () => {
    const res = await sdk.createTaskApi({ client: alice, body: { title: 'api family' } });
    expect(res.response?.status).toBe(201);
    expect(res.response?.headers.get('location')).toBe(`/api/tasks/${res.data!.id}`);
    const owned = await sdk.createTaskForUser({ client: alice, path: { user_id: 'alice' }, body: { title: 'owner family' } });
    expect(owned.response?.headers.get('location')).toBe(`/api/alice/tasks/${owned.data!.id}`);
  });
});

describe('GET /tasks/{task_id}', () => {
  test('returns the task with its ETag on every family', async () => {
    const task = await create({ title: 'Read me' });
    for (const res of [
      await sdk.getTask({ client: alice, path: { task_id: task.id } }),
      await sdk.getTaskApi({ client: alice, path: { task_id: task.id } }),
      await sdk.getTaskForUser({ client: alice, path: { task_id: task.id, user_id: 'alice' } }),
    ]) {
      expect(res.response?.status).toBe(200);
      expect(res.data).toEqual(task);
      expect(res.response?.headers.get('etag')).toBe('"1"');
    }
  });

  test('an unknown id answers 404 problem+json', async () => {
    const res = await sdk.getTask({ client: alice, path: { task_id: '7d444840-9dc0-11d1-b245-5ffdce74fad2' } });
    expect(res.response?.status).toBe(404);
    expect(res.error).toMatchObject({ status: 404, title: 'Not Found', detail: 'Task not found' });
  });
});

describe('PUT /tasks/{task_id}', () => {
  test('replaces every field and resets omitted ones to defaults', async () => {
    const task = await create({ title: 'Full', description: 'text', priority: 'high', due_date: '2027-01-01T00:00:00Z', status: 'in_progress' });
    const res = await sdk.replaceTask({ client: alice, path: { task_id: task.id }, body: { title: 'Replaced' } });
    expect(res.response?.status).toBe(200);
    expect(res.data).toMatchObject({ title: 'Replaced', description: null, priority: 'medium', due_date: null, status: 'pending', version: 2 });
    expect(res.data!.created_at).toBe(task.created_at);
    expect(res.response?.headers.get('etag')).toBe('"2"');
  });

  test('a task read with GET can be PUT back unchanged, which changes nothing', async () => {
    const task = await create({ title: 'Round trip', description: 'same' });
    const res = await sdk.replaceTask({ client: alice, path: { task_id: task.id }, body: task as never });
    expect(res.response?.status).toBe(200);
    expect(res.data).toEqual(task);
  });
});

describe('PATCH /tasks/{task_id}', () => {
  test('changes only the fields sent, moves updated_at and version, keeps created_at', async () => {
    const task = await create({ title: 'Patch me', description: 'keep', priority: 'low' });
    await new Promise((r) => setTimeout(r, 5));
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { priority: 'high' } });
    expect(res.data).toMatchObject({ title: 'Patch me', description: 'keep', priority: 'high', version: 2 });
    expect(res.data!.created_at).toBe(task.created_at);
    expect(Date.parse(res.data!.updated_at)).toBeGreaterThan(Date.parse(task.updated_at));
    expect(res.data!.updated_at).toMatch(ISO_UTC);
  });

  test('null clears nullable fields', async () => {
    const task = await create({ title: 'Clear', description: 'x', due_date: '2027-01-01T00:00:00Z' });
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { description: null, due_date: null } });
    expect(res.data).toMatchObject({ description: null, due_date: null });
  });

  test('an empty patch answers 200 and changes nothing', async () => {
    const task = await create({ title: 'Idle' });
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: {} });
    expect(res.response?.status).toBe(200);
    expect(res.data).toEqual(task);
  });

  test('accepts application/merge-patch+json', async () => {
    const task = await create({ title: 'Merge' });
    const res = await app.request(`/tasks/${task.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await app.createUser('alice')}`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ title: 'Merged' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).title).toBe('Merged');
  });
});

describe('DELETE /tasks/{task_id}', () => {
  test('deletes the task; it is gone afterwards', async () => {
    const task = await create({ title: 'Bye' });
    const res = await sdk.deleteTask({ client: alice, path: { task_id: task.id } });
    expect(res.response?.status).toBe(204);
    const again = await sdk.getTask({ client: alice, path: { task_id: task.id } });
    expect(again.response?.status).toBe(404);
    const twice = await sdk.deleteTask({ client: alice, path: { task_id: task.id } });
    expect(twice.response?.status).toBe(404);
  });
});
