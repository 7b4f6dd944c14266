import * as sdk from '../../generated/sdk.gen';
import type { Client } from '../../generated/client';
import type { ListTasksData, Task, TaskPriority, TaskStatus } from '../../generated/types.gen';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { nextUrl, walkPages, type Page } from '../helpers/paging';

// GET /tasks and its /api/tasks and /api/{user_id}/tasks families: the caller's tasks as a plain
// array, limit, keyset pagination through RFC 8288 Link headers, filters and every sort.
//
// Tasks are created in parallel, so created_at values may tie: every expected order is computed
// from the rows themselves (sort key, then id, in the same direction), never from creation order.

type SortParam = NonNullable<NonNullable<ListTasksData['query']>['sort']>;

const SORTS: SortParam[] = ['created_at', '-created_at', 'updated_at', '-updated_at', 'due_date', '-due_date', 'priority', '-priority'];
const STATUSES: TaskStatus[] = ['pending', 'in_progress', 'completed'];
const PRIORITIES: TaskPriority[] = ['low', 'medium', 'high'];
const RANK: Record<TaskPriority, number> = { low: 0, medium: 1, high: 2 };
const ALICE_TASKS = 23;

let app: TestApp;
let alice: Client;
let aliceToken: string;
let bobToken: string;
/** Alice's tasks as the service last returned them (create, then patch), by id. */
const aliceById = new Map<string, Task>();
const bobIds = new Set<string>();

/** Nine status × priority combinations, six undated tasks, and few distinct due dates (many ties). */
function aliceTask(i: number) {
  return {
    title: `alice ${String(i).padStart(2, '0')}`,
    status: STATUSES[i % 3],
    priority: PRIORITIES[Math.floor(i / 3) % 3],
    due_date: i % 4 === 0 ? null : `2027-0${(i % 2) + 1}-0${i % 4}T09:00:00.000Z`,
  };
}

function bobTask(i: number) {
  return {
    title: `bob ${i}`,
    status: STATUSES[(i + 1) % 3],
    priority: PRIORITIES[i % 3],
    due_date: i % 2 === 0 ? null : `2027-01-0${i}T09:00:00.000Z`,
  };
}

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.clientFor('alice');
  const bob = await app.clientFor('bob');
  aliceToken = await app.createUser('alice');
  bobToken = await app.createUser('bob');

  // Both users' tasks are created at the same time, so their created_at values interleave.
  const [aliceRows, bobRows] = await Promise.all([
    Promise.all(Array.from({ length: ALICE_TASKS }, (_, i) => sdk.createTask({ client: alice, body: aliceTask(i) }))),
    Promise.all(Array.from({ length: 6 }, (_, i) => sdk.createTask({ client: bob, body: bobTask(i + 1) }))),
  ]);
  for (const res of aliceRows) {
    expect(res.response?.status).toBe(201);
    aliceById.set(res.data!.id, res.data!);
  }
  for (const res of bobRows) {
    expect(res.response?.status).toBe(201);
    bobIds.add(res.data!.id);
  }
  // A few later edits, so that updated_at orders the tasks differently from created_at.
  for (const index of [3, 10, 17, 1, 22]) {
    const task = aliceRows[index].data!;
    const res = await sdk.updateTask({ client: alice, path: { task_id: task.id }, body: { title: `${task.title} (edited)` } });
    expect(res.response?.status).toBe(200);
    aliceById.set(task.id, res.data!);
  }
});
afterAll(() => app.stop());

const allAlice = () => [...aliceById.values()];
const ids = (tasks: Task[]) => tasks.map((t) => t.id);
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** The order the contract promises: sort key (priority by rank, undated last), then id, same direction. */
function expectedOrder(tasks: Task[], sort: SortParam): string[] {
  const descending = sort.startsWith('-');
  const key = (descending ? sort.slice(1) : sort) as 'created_at' | 'updated_at' | 'due_date' | 'priority';
  const dir = descending ? -1 : 1;
  const valueOf = (t: Task): number | null => {
    if (key === 'priority') return RANK[t.priority];
    const raw = t[key];
    return raw === null || raw === undefined ? null : Date.parse(raw);
  };
  return [...tasks]
    .sort((a, b) => {
      const va = valueOf(a);
      const vb = valueOf(b);
      if (va === null && vb !== null) return 1; // undated last, whatever the direction
      if (vb === null && va !== null) return -1;
      if (va !== null && vb !== null && va !== vb) return (va - vb) * dir;
      return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * dir;
    })
    .map((t) => t.id);
}

/** Follows the Link headers from `path` (see tests/helpers/paging.ts). */
const walk = (path: string, token = aliceToken, familyPath?: string) => walkPages(app, path, token, familyPath);

const flat = (pages: Page[]) => pages.flatMap((p) => p.tasks);

async function problemOf(path: string, token = aliceToken) {
  const res = await app.request(path, { headers: auth(token) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

describe('GET /tasks: the body', () => {
  test("is a plain JSON array of exactly the caller's tasks, as they were last returned", async () => {
    const res = await sdk.listTasks({ client: alice, query: { limit: 100 } });
    expect(res.response?.status).toBe(200);
    expect(Array.isArray(res.data)).toBe(true);
    expect(res.response?.headers.get('link')).toBeNull();
    const byId = new Map(res.data!.map((t) => [t.id, t]));
    expect(byId.size).toBe(ALICE_TASKS);
    expect(res.data).toHaveLength(ALICE_TASKS);
    for (const [id, task] of aliceById) expect(byId.get(id)).toEqual(task);
  });

  test('is newest first by default, ties broken by id in the same direction', async () => {
    const res = await sdk.listTasks({ client: alice, query: { limit: 100 } });
    expect(ids(res.data!)).toEqual(expectedOrder(allAlice(), '-created_at'));
    const explicit = await sdk.listTasks({ client: alice, query: { limit: 100, sort: '-created_at' } });
    expect(ids(explicit.data!)).toEqual(ids(res.data!));
  });

  test('is the same on /api/tasks and /api/{user_id}/tasks', async () => {
    const canonical = await sdk.listTasks({ client: alice, query: { limit: 100 } });
    const api = await sdk.listTasksApi({ client: alice, query: { limit: 100 } });
    const owner = await sdk.listTasksForUser({ client: alice, path: { user_id: 'alice' }, query: { limit: 100 } });
    expect(api.response?.status).toBe(200);
    expect(owner.response?.status).toBe(200);
    expect(api.data).toEqual(canonical.data);
    expect(owner.data).toEqual(canonical.data);
  });

  test('is an empty array for a user without tasks, with no Link', async () => {
    const carl = await app.clientFor('carl-no-tasks');
    const res = await sdk.listTasks({ client: carl });
    expect(res.response?.status).toBe(200);
    expect(res.data).toEqual([]);
    expect(res.response?.headers.get('link')).toBeNull();
  });

  test('ignores unknown query parameters', async () => {
    const res = await app.request('/tasks?colour=blue', { headers: auth(aliceToken) });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: expect.any(Array) });

    const plain = await walk('/tasks?limit=100');
    const withExtras = await walk('/tasks?limit=100&colour=blue&page=7&user=bob&orderBy=title');
    expect(ids(flat(withExtras))).toEqual(ids(flat(plain)));
    const paged = await walk('/api/tasks?limit=6&colour=blue');
    expect(ids(flat(paged))).toEqual(ids(flat(plain)));
  });
});

describe('GET /tasks: limit', () => {
  test('defaults to 50 and accepts 1 to 100', async () => {
    const dora = await app.clientFor('dora-many-tasks');
    await Promise.all(Array.from({ length: 51 }, (_, i) => sdk.createTask({ client: dora, body: { title: `dora ${i}` } })));

    const first = await sdk.listTasks({ client: dora });
    expect(first.response?.status).toBe(200);
    expect(first.data).toHaveLength(50);
    expect(first.response?.headers.get('link')).not.toBeNull();

    const doraToken = await app.createUser('dora-many-tasks');
    const pages = await walk('/tasks', doraToken);
    expect(pages.map((p) => p.tasks.length)).toEqual([50, 1]);

    const max = await sdk.listTasks({ client: dora, query: { limit: 100 } });
    expect(max.data).toHaveLength(51);
    expect(max.response?.headers.get('link')).toBeNull();

    const one = await sdk.listTasks({ client: dora, query: { limit: 1 } });
    expect(one.data).toHaveLength(1);
    expect(one.data![0].id).toBe(first.data![0].id);
  });

  test.each(['0', '101', 'abc', '-1', '2.5'])('limit=%j answers 422 naming limit in the query', async (limit) => {
    for (const base of ['/tasks', '/api/tasks', '/api/alice/tasks']) {
      const { status, type, body } = await problemOf(`${base}?limit=${encodeURIComponent(limit)}`);
      expect(status).toBe(422);
      expect(type).toMatch(/^application\/problem\+json/);
      expect(body.status).toBe(422);
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'query', field: 'limit' })]));
    }
  });
});

describe('GET /tasks: cursor pagination', () => {
  test('23 tasks in pages of 5: every task exactly once, in order, and no Link on the last page', async () => {
    const pages = await walk('/tasks?limit=5');
    expect(pages.map((p) => p.tasks.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.slice(0, -1).every((p) => p.link !== null)).toBe(true);
    expect(pages[pages.length - 1].link).toBeNull();
    const seen = ids(flat(pages));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expectedOrder(allAlice(), '-created_at'));
  });

  test('a page that ends exactly on the last task has no Link', async () => {
    const exact = await walk(`/tasks?limit=${ALICE_TASKS}`);
    expect(exact).toHaveLength(1);
    expect(exact[0].tasks).toHaveLength(ALICE_TASKS);
    expect(exact[0].link).toBeNull();

    const oneShort = await walk(`/tasks?limit=${ALICE_TASKS - 1}`);
    expect(oneShort.map((p) => p.tasks.length)).toEqual([ALICE_TASKS - 1, 1]);
  });

  test('the Link keeps the limit, filters and sort of the request', async () => {
    const res = await app.request('/tasks?limit=2&status=pending&priority=low&completed=false&sort=priority', {
      headers: auth(aliceToken),
    });
    expect(res.status).toBe(200);
    const link = res.headers.get('link');
    expect(link).not.toBeNull();
    const next = nextUrl(link!, new URL(res.url));
    expect(next.pathname).toBe('/tasks');
    expect(Object.fromEntries(next.searchParams)).toEqual(
      expect.objectContaining({ limit: '2', status: 'pending', priority: 'low', completed: 'false', sort: 'priority' }),
    );
    expect(next.searchParams.get('cursor')).toEqual(expect.any(String));
  });

  test.each([
    ['/tasks', '/tasks'],
    ['/api/tasks', '/api/tasks'],
    ['/api/alice/tasks', '/api/alice/tasks'],
  ])('Links stay in the route family of %s', async (path, family) => {
    const pages = await walk(`${path}?limit=4&sort=due_date`, aliceToken, family);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages.slice(1)) {
      expect(page.url.pathname).toBe(family);
      expect(page.url.searchParams.get('sort')).toBe('due_date');
      expect(page.url.searchParams.get('limit')).toBe('4');
    }
    expect(ids(flat(pages))).toEqual(expectedOrder(allAlice(), 'due_date'));
  });

  test("another user's tasks never appear in any page of any family, sort or page size", async () => {
    for (const family of ['/tasks', '/api/tasks', '/api/alice/tasks']) {
      for (const sort of SORTS) {
        const rows = flat(await walk(`${family}?limit=7&sort=${sort}`, aliceToken, family));
        expect(rows).toHaveLength(ALICE_TASKS);
        expect(rows.every((t) => t.user_id === 'alice' && !bobIds.has(t.id))).toBe(true);
      }
    }
    const bobRows = flat(await walk('/tasks?limit=2', bobToken));
    expect(new Set(ids(bobRows))).toEqual(bobIds);
    expect(bobRows.every((t) => t.user_id === 'bob')).toBe(true);
  });

  test("naming another owner in the path or the query answers 403 and no tasks", async () => {
    const inPath = await problemOf('/api/bob/tasks?limit=5');
    expect(inPath.status).toBe(403);
    expect(inPath.body).not.toBeInstanceOf(Array);
    const inQuery = await problemOf('/tasks?user_id=bob');
    expect(inQuery.status).toBe(403);
    const own = await app.request('/api/tasks?user_id=alice&limit=100', { headers: auth(aliceToken) });
    expect(own.status).toBe(200);
    expect(await own.json()).toHaveLength(ALICE_TASKS);
  });
});

describe('GET /tasks: filters', () => {
  const matching = (pred: (t: Task) => boolean) => expectedOrder(allAlice().filter(pred), '-created_at');

  test.each(STATUSES)('status=%s returns only tasks with that status', async (status) => {
    const rows = flat(await walk(`/tasks?status=${status}&limit=3`));
    expect(ids(rows)).toEqual(matching((t) => t.status === status));
    expect(rows.length).toBeGreaterThan(0);
  });

  test.each(PRIORITIES)('priority=%s returns only tasks with that priority', async (priority) => {
    const rows = flat(await walk(`/api/tasks?priority=${priority}&limit=3`, aliceToken));
    expect(ids(rows)).toEqual(matching((t) => t.priority === priority));
    expect(rows.length).toBeGreaterThan(0);
  });

  test.each([true, false])('completed=%s returns only tasks whose completion matches', async (completed) => {
    const rows = flat(await walk(`/api/alice/tasks?completed=${completed}&limit=4`));
    expect(ids(rows)).toEqual(matching((t) => t.completed === completed));
    expect(rows.every((t) => (t.status === 'completed') === completed)).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
  });

  test('filters combine with each other and with any sort, across pages', async () => {
    const cases: { query: string; pred: (t: Task) => boolean; sort: SortParam }[] = [
      { query: 'status=in_progress&priority=high', pred: (t) => t.status === 'in_progress' && t.priority === 'high', sort: '-created_at' },
      { query: 'priority=medium&completed=false', pred: (t) => t.priority === 'medium' && !t.completed, sort: 'due_date' },
      { query: 'status=completed&completed=true', pred: (t) => t.status === 'completed', sort: '-priority' },
      { query: 'status=pending&priority=low&completed=false', pred: (t) => t.status === 'pending' && t.priority === 'low', sort: 'updated_at' },
      { query: 'completed=true&priority=low', pred: (t) => t.completed && t.priority === 'low', sort: '-due_date' },
    ];
    for (const { query, pred, sort } of cases) {
      const expected = expectedOrder(allAlice().filter(pred), sort);
      expect(expected.length).toBeGreaterThan(0);
      const pages = await walk(`/tasks?${query}&sort=${sort}&limit=1`);
      expect(ids(flat(pages))).toEqual(expected);
      for (const page of pages.slice(1)) {
        for (const [name, value] of new URLSearchParams(query)) expect(page.url.searchParams.get(name)).toBe(value);
      }
    }
  });

  test('a contradictory combination is simply empty', async () => {
    const res = await sdk.listTasks({ client: alice, query: { status: 'completed', completed: false } });
    expect(res.response?.status).toBe(200);
    expect(res.data).toEqual([]);
  });

  test.each([
    ['status', 'done'],
    ['priority', 'urgent'],
    ['completed', 'maybe'],
    ['sort', 'title'],
    ['sort', '-id'],
  ])('%s=%s answers 422 naming the parameter', async (name, value) => {
    const { status, body } = await problemOf(`/api/tasks?${name}=${value}`);
    expect(status).toBe(422);
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'query', field: name })]));
  });
});

describe('GET /tasks: sort', () => {
  test.each(SORTS)('sort=%s: one big page is in contract order, and small pages give the same order', async (sort) => {
    const big = await sdk.listTasks({ client: alice, query: { sort, limit: 100 } });
    expect(big.response?.status).toBe(200);
    expect(ids(big.data!)).toEqual(expectedOrder(allAlice(), sort));

    const pages = await walk(`/tasks?sort=${sort}&limit=4`);
    expect(pages.length).toBe(Math.ceil(ALICE_TASKS / 4));
    expect(ids(flat(pages))).toEqual(ids(big.data!));
  });

  test('priority sorts by rank (low < medium < high), not alphabetically', async () => {
    const up = await sdk.listTasks({ client: alice, query: { sort: 'priority', limit: 100 } });
    const down = await sdk.listTasks({ client: alice, query: { sort: '-priority', limit: 100 } });
    const runs = (tasks: Task[]) => tasks.map((t) => t.priority).filter((p, i, all) => i === 0 || all[i - 1] !== p);
    expect(runs(up.data!)).toEqual(['low', 'medium', 'high']);
    expect(runs(down.data!)).toEqual(['high', 'medium', 'low']);
  });

  test('ties on the sort key are broken by id in the same direction', async () => {
    const up = (await sdk.listTasks({ client: alice, query: { sort: 'priority', limit: 100 } })).data!;
    const down = (await sdk.listTasks({ client: alice, query: { sort: '-priority', limit: 100 } })).data!;
    for (const priority of PRIORITIES) {
      const within = (tasks: Task[]) => ids(tasks.filter((t) => t.priority === priority));
      const sorted = [...within(up)].sort();
      expect(within(up)).toEqual(sorted);
      expect(within(down)).toEqual([...sorted].reverse());
    }
  });

  test.each(['due_date', '-due_date'] as const)(
    'sort=%s puts tasks without a due date last, also when a page boundary falls on the change',
    async (sort) => {
      const dated = allAlice().filter((t) => t.due_date !== null).length;
      const undated = ALICE_TASKS - dated;
      expect(undated).toBeGreaterThan(1);

      const all = flat(await walk(`/tasks?sort=${sort}&limit=100`));
      expect(all.slice(0, dated).every((t) => t.due_date !== null)).toBe(true);
      expect(all.slice(dated).every((t) => t.due_date === null)).toBe(true);

      // The first page ends on the last dated task; the next holds only undated ones.
      const split = await walk(`/tasks?sort=${sort}&limit=${dated}`);
      expect(split.map((p) => p.tasks.length)).toEqual([dated, undated]);
      expect(split[1].tasks.every((t) => t.due_date === null)).toBe(true);
      expect(ids(flat(split))).toEqual(expectedOrder(allAlice(), sort));

      // Pages that straddle the change, then run through the undated tasks one by one.
      for (const limit of [1, 2, dated - 1, dated + 1]) {
        expect(ids(flat(await walk(`/api/tasks?sort=${sort}&limit=${limit}`)))).toEqual(ids(all));
      }
    },
  );
});

describe('GET /tasks: cursor misuse', () => {
  async function firstCursor(query: string): Promise<string> {
    const res = await app.request(`/tasks?${query}`, { headers: auth(aliceToken) });
    expect(res.status).toBe(200);
    const link = res.headers.get('link');
    expect(link).not.toBeNull();
    return nextUrl(link!, new URL(res.url)).searchParams.get('cursor')!;
  }

  const expectCursorError = (result: { status: number; body: { errors?: { field: string; location: string }[] } }) => {
    expect(result.status).toBe(422);
    expect(result.body.errors?.[0]).toEqual(expect.objectContaining({ field: 'cursor', location: 'query' }));
  };

  test('a cursor reused with another sort answers 422 on cursor', async () => {
    const cursor = encodeURIComponent(await firstCursor('sort=priority&limit=3'));
    for (const sort of SORTS.filter((s) => s !== 'priority')) {
      expectCursorError(await problemOf(`/tasks?sort=${sort}&limit=3&cursor=${cursor}`));
    }
    expectCursorError(await problemOf(`/tasks?limit=3&cursor=${cursor}`)); // the default sort is another sort
  });

  test('a cursor reused with other filters answers 422 on cursor', async () => {
    const cursor = encodeURIComponent(await firstCursor('status=pending&limit=2'));
    for (const filters of ['status=completed', 'status=pending&priority=high', 'status=pending&completed=false', '']) {
      expectCursorError(await problemOf(`/api/tasks?${filters}&limit=2&cursor=${cursor}`));
    }
    const unfiltered = encodeURIComponent(await firstCursor('limit=2'));
    expectCursorError(await problemOf(`/tasks?completed=true&limit=2&cursor=${unfiltered}`));
  });

  test('the same cursor with the same sort and filters is accepted', async () => {
    const cursor = encodeURIComponent(await firstCursor('status=pending&sort=-due_date&limit=2'));
    const res = await app.request(`/api/alice/tasks?sort=-due_date&status=pending&limit=2&cursor=${cursor}`, {
      headers: auth(aliceToken),
    });
    expect(res.status).toBe(200);
  });

  test.each([
    'garbage',
    'not a cursor!',
    '%00%01',
    Buffer.from('{"hello":"world"}').toString('base64url'),
    Buffer.from('[]').toString('base64url'),
  ])('a garbage cursor (%#) answers 422 on cursor', async (cursor) => {
    const raw = cursor.startsWith('%') ? cursor : encodeURIComponent(cursor);
    expectCursorError(await problemOf(`/tasks?cursor=${raw}`));
  });

  test('a cursor over 1024 characters answers 422 on cursor', async () => {
    expectCursorError(await problemOf(`/tasks?cursor=${'x'.repeat(2000)}`));
  });
});
