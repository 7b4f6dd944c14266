import { startTestApp, type TestApp } from '../helpers/test-app';

// The list and get queries stay flat as the table grows: the database reaches a user's tasks
// through an index, never by scanning the tasks table, and a page of the list comes straight
// out of an index in the requested order (a page costs its own size, not the user's number of
// tasks). The queries are the service's own: captured from its knex instance while it answers
// real HTTP requests, then EXPLAINed in the same scope (the Row Level Security role and
// app.user_id, when the service set them). No planner settings are changed.

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

interface Captured {
  sql: string;
  bindings: unknown[];
}

const OWNER = 'explain-owner';
const OTHERS = 300;
const TASKS_PER_OTHER = 100;
const OWNER_TASKS = 1000;
const SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'due_date', '-due_date', 'priority', '-priority'];

let app: TestApp;
let token: string;
let captured: Captured[] = [];

const INSERT_TASKS = `
  INSERT INTO tasks (user_id, title, status, priority, due_date, completed_at, created_at, updated_at)
  SELECT u, 'Task ' || g,
         (CASE WHEN g % 3 = 0 THEN 'completed' ELSE 'pending' END)::task_status,
         (CASE g % 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END)::task_priority,
         CASE WHEN g % 4 = 0 THEN NULL ELSE now() + g * interval '1 hour' END,
         CASE WHEN g % 3 = 0 THEN now() END,
         now() - g * interval '1 minute', now() - g * interval '30 seconds'
    FROM unnest(?::text[]) AS u CROSS JOIN generate_series(1, ?::int) AS g`;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.createUser(OWNER);
  const others = Array.from({ length: OTHERS }, (_, i) => `explain-other-${i}`);
  await app.knex.raw('INSERT INTO users (id) SELECT unnest(?::text[])', [others]);
  await app.knex.raw(INSERT_TASKS, [others, TASKS_PER_OTHER]);
  await app.knex.raw(INSERT_TASKS, [[OWNER], OWNER_TASKS]);
  await app.knex.raw('ANALYZE users');
  await app.knex.raw('ANALYZE tasks');
  app.knex.on('query', (q: { sql: string; bindings?: unknown[] }) => captured.push({ sql: q.sql, bindings: q.bindings ?? [] }));
}, 120_000);
afterAll(() => app.stop());

/** The queries the service ran to answer one request. */
async function queriesOf(path: string): Promise<{ body: unknown; queries: Captured[] }> {
  captured = [];
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return { body: await res.json(), queries: captured };
}

/** The service's statement that reads tasks (not the scope set-up, not the user check). */
function taskQuery(queries: Captured[]): Captured {
  const reads = queries.filter((q) => /\bfrom "tasks"/i.test(q.sql) && /^\s*select/i.test(q.sql));
  expect(reads).toHaveLength(1);
  return reads[0];
}

/** A captured statement ($1, $2… as sent to the database) in knex.raw's form (? placeholders). */
function asRaw(q: Captured): [string, unknown[]] {
  const bindings: unknown[] = [];
  const sql = q.sql.replace(/\$(\d+)/g, (_, n: string) => {
    bindings.push(q.bindings[Number(n) - 1]);
    return '?';
  });
  return [sql, bindings];
}

/** EXPLAIN of `query` as the service ran it: after the same scope set-up, in a transaction. */
async function planOf(queries: Captured[], query: Captured): Promise<PlanNode> {
  const scope = queries.find((q) => /set_config\('role'/.test(q.sql));
  return app.knex.transaction(async (trx) => {
    if (scope) await trx.raw(...(asRaw(scope) as [string, never]));
    const [sql, bindings] = asRaw(query);
    const { rows } = await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as never);
    const plan = rows[0]['QUERY PLAN'];
    return (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan as PlanNode;
  });
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const describePlan = (plan: PlanNode) =>
  nodes(plan)
    .map((n) => `${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`)
    .join(' → ');

function expectIndexOnTasks(plan: PlanNode) {
  const all = nodes(plan);
  const seqScans = all.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'tasks');
  expect({ plan: describePlan(plan), seqScansOnTasks: seqScans.length }).toEqual({ plan: describePlan(plan), seqScansOnTasks: 0 });
  const indexed = all.filter((n) => /Index/.test(n['Node Type']) && /^tasks_/.test(n['Index Name'] ?? ''));
  expect(indexed.length).toBeGreaterThan(0);
}

/** No Sort of the rows an index scan found (an Incremental Sort of equal-key groups would be fine). */
function expectIndexOrder(plan: PlanNode) {
  const sorts = nodes(plan).filter((n) => n['Node Type'] === 'Sort');
  expect({ plan: describePlan(plan), sorts: sorts.length }).toEqual({ plan: describePlan(plan), sorts: 0 });
}

/** The URL of a page half-way through the owner's tasks (still among the dated ones for due_date). */
async function deepPagePath(sort: string): Promise<string> {
  let path = `/tasks?sort=${sort}&limit=100`;
  for (let page = 0; page < 5; page++) {
    const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '');
    await res.arrayBuffer();
    expect(next).not.toBeNull();
    path = next![1];
  }
  return path;
}

describe('GET /tasks reaches the caller’s tasks through an index', () => {
  test.each(SORTS)('the first page sorted by %s uses an index and never scans the tasks table', async (sort) => {
    const { queries } = await queriesOf(`/tasks?sort=${sort}&limit=50`);
    expectIndexOnTasks(await planOf(queries, taskQuery(queries)));
  });

  test.each(SORTS)('a page deep in the list sorted by %s (through the cursor) uses an index and never scans the tasks table', async (sort) => {
    const { queries } = await queriesOf(await deepPagePath(sort));
    const query = taskQuery(queries);
    expect(query.sql).toMatch(/ [<>] /); // the keyset condition
    expectIndexOnTasks(await planOf(queries, query));
  });
});

describe('a page of GET /tasks costs its own size, not the number of the caller’s tasks', () => {
  test.each(SORTS)('the first page sorted by %s comes out of an index in order, without sorting all of the user’s tasks', async (sort) => {
    const { queries } = await queriesOf(`/tasks?sort=${sort}&limit=50`);
    expectIndexOrder(await planOf(queries, taskQuery(queries)));
  });

  test.each(SORTS)('a page deep in the list sorted by %s comes out of an index in order, without sorting the rest of the user’s tasks', async (sort) => {
    const { queries } = await queriesOf(await deepPagePath(sort));
    expectIndexOrder(await planOf(queries, taskQuery(queries)));
  });
});

describe('GET /tasks/{id} reaches the task through an index', () => {
  test('the get query uses an index and never scans the tasks table', async () => {
    const { body } = await queriesOf('/tasks?limit=1');
    const [task] = body as { id: string }[];
    const { queries } = await queriesOf(`/tasks/${task.id}`);
    expectIndexOnTasks(await planOf(queries, taskQuery(queries)));
  });
});
