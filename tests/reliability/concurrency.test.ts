import * as sdk from '../../generated/sdk.gen';
import type { Client } from '../../generated/client';
import type { Task } from '../../generated/types.gen';
import { engineName } from '../helpers/engine';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { FULL } from './helpers/api';

// Concurrency on the engine of this run: many users at once never see each other's rows, parallel
// writes to one task lose no version increment, and of N writers holding the same ETag exactly
// one wins. The acquire timeout is raised: on a busy two-core machine PGlite's single connection
// queues hundreds of requests, and these tests are about correctness, not capacity (see
// pool-exhaustion.test.ts for the 503 under a short acquire timeout).

jest.setTimeout(FULL ? 180_000 : 60_000);

const USERS = FULL ? 300 : 100;
const TASKS_PER_USER = 3;
const WRITERS = 50;
const RACERS = 20;

let app: TestApp;

/** A problem body, or a network error (from another realm than jest's: no instanceof Error). */
function describeError(error: unknown): string {
  const e = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  if (e && typeof e.message === 'string') return `${e.message} ${String(e.cause?.code ?? e.cause?.message ?? '')}`;
  return JSON.stringify(error);
}

beforeAll(async () => {
  app = await startTestApp({ DB_ACQUIRE_TIMEOUT_MS: '60000' });
});
afterAll(() => app.stop());

describe(`many users at once (${engineName})`, () => {
  test(`${USERS} concurrent users each creating and listing their own tasks: zero errors, zero cross-user rows`, async () => {
    // Arrange
    const ids = Array.from({ length: USERS }, (_, i) => `concurrent-${i}`);
    const clients = await Promise.all(ids.map((id) => app.clientFor(id)));

    // Act: every user at once, each like a client app would, one request after another: three
    // creates, a list, then each task read back. (One connection per user: the client and the
    // server share this process, and thousands of simultaneous connects would test the kernel's
    // accept backlog rather than the service.)
    const results = await Promise.all(
      ids.map(async (userId, u) => {
        const client = clients[u];
        const created = [];
        for (let k = 0; k < TASKS_PER_USER; k++) created.push(await sdk.createTask({ client, body: { title: `${userId} task ${k}` } }));
        const listed = await sdk.listTasks({ client, query: { limit: 100 } });
        const read = [];
        for (const c of created) read.push(await sdk.getTask({ client, path: { task_id: c.data?.id ?? '' } }));
        return { userId, created, listed, read };
      }),
    );

    // Assert
    const errors = results.flatMap(({ userId, created, listed, read }) =>
      [...created, listed, ...read]
        .filter((r) => r.error || !r.response?.ok)
        .map((r) => `${userId}: ${r.response?.status ?? 'no response'} ${describeError(r.error)}`),
    );
    expect(errors).toEqual([]);
    for (const { userId, created, listed, read } of results) {
      const mine = created.map((c) => c.data!.id).sort();
      expect(listed.data!.map((t) => t.id).sort()).toEqual(mine);
      expect(listed.data!.every((t) => t.user_id === userId)).toBe(true);
      expect(read.every((r) => r.data!.user_id === userId)).toBe(true);
    }
    const perUser = await app.knex('tasks').whereIn('user_id', ids).groupBy('user_id').select('user_id').count({ n: '*' });
    expect(perUser).toHaveLength(USERS);
    expect(perUser.every((row) => Number(row.n) === TASKS_PER_USER)).toBe(true);
  });
});

describe(`parallel writes to one task (${engineName})`, () => {
  let alice: Client;

  beforeAll(async () => {
    alice = await app.clientFor('writer-alice');
  });

  async function freshTask(title = 'contended'): Promise<Task> {
    const res = await sdk.createTask({ client: alice, body: { title } });
    expect(res.response?.status).toBe(201);
    return res.data!;
  }

  test(`${WRITERS} parallel PATCH/PUT on every route family lose no version increment; the row ends as the last write`, async () => {
    // Arrange
    const task = await freshTask();
    const path = { task_id: task.id };
    const owned = { user_id: 'writer-alice', task_id: task.id };
    const writes = Array.from({ length: WRITERS }, (_, i) => {
      const title = `write ${i}`;
      switch (i % 5) {
        case 0:
          return sdk.updateTask({ client: alice, path, body: { title } });
        case 1:
          return sdk.updateTaskApi({ client: alice, path, body: { title, priority: 'high' } });
        case 2:
          return sdk.updateTaskForUser({ client: alice, path: owned, body: { title, status: 'in_progress' } });
        case 3:
          return sdk.replaceTask({ client: alice, path, body: { title, description: `replaced by ${i}` } });
        default:
          return sdk.updateTask({
            client: alice,
            path,
            body: { title },
            headers: { 'Content-Type': 'application/merge-patch+json' },
            bodySerializer: JSON.stringify,
          });
      }
    });

    // Act
    const results = await Promise.all(writes);

    // Assert: every write succeeded, each got its own version, none was lost.
    expect(results.map((r) => r.response?.status)).toEqual(Array(WRITERS).fill(200));
    const versions = results.map((r) => r.data!.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 2));
    const final = (await sdk.getTask({ client: alice, path })).data!;
    expect(final.version).toBe(1 + WRITERS);
    const last = results.find((r) => r.data!.version === final.version)!.data!;
    expect(final).toEqual(last);
  });

  test(`of ${RACERS} writers racing with the same ETag on different families and verbs, exactly one wins and the rest get 412`, async () => {
    // Arrange
    const task = await freshTask('raced');
    const headers = { 'If-Match': '"1"' };
    const path = { task_id: task.id };
    const racers = Array.from({ length: RACERS }, (_, i) => {
      switch (i % 4) {
        case 0:
          return sdk.updateTask({ client: alice, path, headers, body: { title: `racer ${i}` } });
        case 1:
          return sdk.replaceTaskApi({ client: alice, path, headers, body: { title: `racer ${i}` } });
        case 2:
          return sdk.toggleTask({ client: alice, path, headers });
        default:
          return sdk.completeTaskForUser({ client: alice, path: { user_id: 'writer-alice', task_id: task.id }, headers, body: { completed: true } });
      }
    });

    // Act
    const results = await Promise.all(racers);

    // Assert
    const statuses = results.map((r) => r.response?.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(RACERS - 1);
    const winner = results.find((r) => r.response?.status === 200)!.data!;
    expect(winner.version).toBe(2);
    for (const lost of results.filter((r) => r.response?.status === 412)) expect(lost.response?.headers.get('etag')).toBe('"2"');
    expect((await sdk.getTask({ client: alice, path })).data).toEqual(winner);
  });

  test('PATCHes racing a DELETE: each PATCH lands before it (200) or finds nothing (404), and the task ends deleted', async () => {
    // Arrange
    const task = await freshTask('deleted while written');
    const path = { task_id: task.id };

    // Act
    const [deleted, ...patches] = await Promise.all([
      sdk.deleteTask({ client: alice, path }),
      ...Array.from({ length: 20 }, (_, i) => sdk.updateTask({ client: alice, path, body: { title: `late ${i}` } })),
    ]);

    // Assert
    expect(deleted.response?.status).toBe(204);
    expect(patches.every((p) => p.response?.status === 200 || p.response?.status === 404)).toBe(true);
    const versions = patches.filter((p) => p.response?.status === 200).map((p) => p.data!.version).sort((a, b) => a - b);
    expect(versions).toEqual(versions.map((_, i) => i + 2));
    expect((await sdk.getTask({ client: alice, path })).response?.status).toBe(404);
    expect(await app.knex('tasks').where({ id: task.id })).toEqual([]);
  });
});
