import fc from 'fast-check';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { expectAccepted, expectRefused, params, propertyTimeout, send, show, type Answer } from './fuzz-kit';
import {
  accepts,
  codePoints,
  componentSchema,
  explain,
  invalid,
  invalidQueryValue,
  queryParameters,
  requestSchema,
  valid,
  type Mutation,
  type Schema,
} from './spec-arbitraries';

// Property-based fuzzing of the task operations, with bodies and query strings generated from
// openapi.yaml's own schemas (see spec-arbitraries.ts). Valid input must be accepted and stored
// as sent; input that breaks the contract must be refused with a 4xx problem+json, never a 5xx
// or a hang, and must change nothing. At the end every stored task of the fuzz user is read
// back through the paged list and checked against the Task schema and against what the service
// said it stored.

type Body = Record<string, unknown>;
interface Task {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  status: 'pending' | 'in_progress' | 'completed';
  priority: 'low' | 'medium' | 'high';
  due_date: string | null;
  completed: boolean;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

const USER = 'fuzz-user';
const TASK = componentSchema('Task');
const CREATE = requestSchema('createTask');
const REPLACE = requestSchema('replaceTask');
const PATCH = requestSchema('updateTask');
const COMPLETE = requestSchema('completeTask');
const LIST = queryParameters('listTasks');

let app: TestApp;
let token: string;
/** Every task of the fuzz user, as the service last returned it. */
const stored = new Map<string, Task>();

beforeAll(async () => {
  app = await startTestApp();
  token = await app.createUser(USER);
  await app.createUser('someone-else');
});
afterAll(() => app.stop());

// ---------------------------------------------------------------------------------------------
// What the contract says in prose, on top of the schemas
// ---------------------------------------------------------------------------------------------

/**
 * A valid body is also one the prose allows: a title that is not blank once trimmed, `status`
 * and `completed` that agree, and a body `user_id` that is the caller's (the contract's owner
 * check). Applied to schema-valid bodies, the result stays schema-valid.
 */
function asTheContractAllows(body: Body): Body {
  const out: Body = { ...body };
  if (typeof out.title === 'string' && out.title.trim() === '') out.title = [...`T${out.title}`].slice(0, 255).join('');
  if ('user_id' in out) out.user_id = USER;
  if (out.status !== undefined && out.completed !== undefined) out.completed = out.status === 'completed';
  return out;
}

const validBody = (schema: Schema) =>
  (valid(schema) as fc.Arbitrary<Body>).map(asTheContractAllows).filter((body) => accepts(schema, body));

/** Schema-valid bodies that the prose refuses: each must still be a 4xx. */
function proseBreaking(schema: Schema): fc.Arbitrary<Mutation> {
  const base = validBody(schema);
  return fc.oneof(
    fc
      .tuple(base, fc.constantFrom(' ', '   ', '\t', '\n \r\n', '\u00A0', '\u3000', '\u2028', '\uFEFF '))
      .map(([body, blank]) => ({ rule: '/title: blank', value: { ...body, title: blank } as never })),
    fc
      .tuple(base, fc.constantFrom('pending', 'in_progress', 'completed'))
      .map(([body, status]) => ({ rule: 'status and completed disagree', value: { ...body, status, completed: status !== 'completed' } as never })),
    fc
      .tuple(base, fc.constantFrom('someone-else', 'FUZZ-USER', 'fuzz-user ', 'nobody', "' OR '1'='1"))
      .map(([body, other]) => ({ rule: '/user_id: not the caller', value: { ...body, user_id: other } as never })),
  );
}

// ---------------------------------------------------------------------------------------------
// What the service must have stored
// ---------------------------------------------------------------------------------------------

type Status = Task['status'];

/** The status a write leads to (the contract's rule for `status` and `completed`). */
function statusAfter(sent: Body, otherwise: Status): Status {
  if (sent.status !== undefined) return sent.status as Status;
  if (sent.completed === true) return 'completed';
  if (sent.completed === false && otherwise === 'completed') return 'pending';
  return otherwise;
}

const utc = (value: unknown) => (value == null ? null : new Date(value as string).toISOString());

/** The writable fields a create (previous undefined), replace or patch should leave. */
function expectedFields(sent: Body, previous: Task | undefined, partial: boolean) {
  const keep = <K extends keyof Task>(key: K, fallback: Task[K]) => (partial && previous ? previous[key] : fallback);
  return {
    title: sent.title !== undefined ? (sent.title as string).trim() : keep('title', '' as never),
    description: sent.description !== undefined ? (sent.description as string | null) : keep('description', null),
    priority: sent.priority !== undefined ? (sent.priority as Task['priority']) : keep('priority', 'medium'),
    due_date: sent.due_date !== undefined ? utc(sent.due_date) : keep('due_date', null),
    status: statusAfter(sent, partial && previous ? previous.status : 'pending'),
  };
}

function checkStored(answer: Answer, sent: Body, previous: Task | undefined, partial: boolean, what: string): Task {
  const task = answer.json as Task;
  if (!accepts(TASK, task)) throw new Error(`${what}: the answer is not a Task: ${explain(TASK, task)}`);
  stored.set(task.id, task); // what the service now holds, whatever the checks below find
  const want = expectedFields(sent, previous, partial);
  const got = { title: task.title, description: task.description, priority: task.priority, due_date: task.due_date, status: task.status };
  expect({ what, fields: got }).toEqual({ what, fields: want });
  expect(task.user_id).toBe(USER);
  expect(task.completed).toBe(task.status === 'completed');
  expect(task.completed_at === null).toBe(task.status !== 'completed');
  if (previous) {
    expect(task.id).toBe(previous.id);
    expect(task.created_at).toBe(previous.created_at);
    const changed = (Object.keys(want) as (keyof typeof want)[]).some((key) => want[key] !== previous[key]);
    expect({ what, version: task.version }).toEqual({ what, version: changed ? previous.version + 1 : previous.version });
    if (task.status === 'completed' && previous.status === 'completed') expect(task.completed_at).toBe(previous.completed_at);
  } else {
    expect(task.version).toBe(1);
    if (sent.id !== undefined) expect(task.id).not.toBe(sent.id);
  }
  return task;
}

const someTask = fc.nat().map((n) => {
  const ids = [...stored.keys()];
  return stored.get(ids[n % ids.length])!;
});

async function ensureTasks() {
  while (stored.size < 3) {
    const answer = await send(app, { method: 'POST', path: '/tasks', token, body: { title: `seed ${stored.size}` } });
    expectAccepted(answer, 201, 'seeding a task');
    stored.set(answer.json.id, answer.json);
  }
}

/** A refused write: 4xx problem+json, and the task (if any) exactly as before. */
async function expectRefusedAndUnchanged(answer: Answer, mutation: Mutation, what: string, taskId?: string) {
  expectRefused(answer, `${what} with ${mutation.rule}: ${show(mutation.value)}`, mutation.huge ? [413] : []);
  if (taskId) {
    const now = await send(app, { method: 'GET', path: `/tasks/${taskId}`, token });
    expectAccepted(now, 200, 'reading the task back');
    expect(now.json).toEqual(stored.get(taskId));
  }
}

const mutatedBody = (schema: Schema) => fc.oneof({ weight: 4, arbitrary: invalid(schema) }, { weight: 1, arbitrary: proseBreaking(schema) });

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

describe('POST /tasks', () => {
  test(
    'every body the contract allows is created (201) and stored as sent, text verbatim',
    async () => {
      await fc.assert(
        fc.asyncProperty(validBody(CREATE), async (body) => {
          const answer = await send(app, { method: 'POST', path: '/tasks', token, body });
          expectAccepted(answer, 201, `POST /tasks ${show(body)}`);
          const task = checkStored(answer, body, undefined, false, `POST /tasks ${show(body)}`);
          expect(answer.headers.get('location')).toBe(`/tasks/${task.id}`);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );

  test(
    'every body that breaks the contract is refused with a 4xx problem and creates nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedBody(CREATE), async (mutation) => {
          const before = stored.size;
          const answer = await send(app, { method: 'POST', path: '/tasks', token, body: mutation.value });
          await expectRefusedAndUnchanged(answer, mutation, 'POST /tasks');
          expect(stored.size).toBe(before);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});

describe('PUT /tasks/{task_id}', () => {
  beforeAll(ensureTasks);

  test(
    'every body the contract allows replaces the task (200), omitted fields back to defaults',
    async () => {
      await fc.assert(
        fc.asyncProperty(someTask, validBody(REPLACE), async (task, body) => {
          const current = stored.get(task.id)!;
          const answer = await send(app, { method: 'PUT', path: `/tasks/${task.id}`, token, body });
          expectAccepted(answer, 200, `PUT ${show(body)}`);
          checkStored(answer, body, current, false, `PUT ${show(body)}`);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );

  test(
    'every body that breaks the contract is refused with a 4xx problem and changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(someTask, mutatedBody(REPLACE), async (task, mutation) => {
          const answer = await send(app, { method: 'PUT', path: `/tasks/${task.id}`, token, body: mutation.value });
          await expectRefusedAndUnchanged(answer, mutation, 'PUT /tasks/{id}', task.id);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});

describe('PATCH /tasks/{task_id}', () => {
  beforeAll(ensureTasks);

  test(
    'every body the contract allows changes exactly the fields sent (200), as JSON or merge-patch',
    async () => {
      await fc.assert(
        fc.asyncProperty(someTask, validBody(PATCH), fc.constantFrom('application/json', 'application/merge-patch+json'), async (task, body, type) => {
          const current = stored.get(task.id)!;
          const answer = await send(app, { method: 'PATCH', path: `/tasks/${task.id}`, token, body, contentType: type });
          expectAccepted(answer, 200, `PATCH (${type}) ${show(body)}`);
          checkStored(answer, body, current, true, `PATCH ${show(body)}`);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );

  test(
    'every body that breaks the contract is refused with a 4xx problem and changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(someTask, mutatedBody(PATCH), async (task, mutation) => {
          const answer = await send(app, { method: 'PATCH', path: `/tasks/${task.id}`, token, body: mutation.value });
          await expectRefusedAndUnchanged(answer, mutation, 'PATCH /tasks/{id}', task.id);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});

describe('PATCH /tasks/{task_id}/complete', () => {
  beforeAll(ensureTasks);

  test(
    'every body the contract allows (or none) completes or reopens the task (200)',
    async () => {
      const body = fc.option(valid(COMPLETE) as fc.Arbitrary<Body>, { nil: undefined }).map((b) => (b && 'user_id' in b ? { ...b, user_id: USER } : b));
      await fc.assert(
        fc.asyncProperty(someTask, body, async (task, sent) => {
          const current = stored.get(task.id)!;
          const answer = await send(app, { method: 'PATCH', path: `/tasks/${task.id}/complete`, token, body: sent });
          expectAccepted(answer, 200, `complete ${show(sent)}`);
          const completed = sent?.completed ?? true;
          checkStored(answer, { completed }, current, true, `complete ${show(sent)}`);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );

  test(
    'every body that breaks the contract is refused with a 4xx problem and changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(someTask, invalid(COMPLETE), async (task, mutation) => {
          const answer = await send(app, { method: 'PATCH', path: `/tasks/${task.id}/complete`, token, body: mutation.value });
          await expectRefusedAndUnchanged(answer, mutation, 'PATCH /tasks/{id}/complete', task.id);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});

describe('task ids in the path', () => {
  beforeAll(ensureTasks);

  test(
    'a malformed id is a 422 on task_id; an unknown well-formed one is a 404; never a 5xx',
    async () => {
      const malformed = fc.oneof(
        fc.constantFrom('not-a-uuid', '3f1c2a9e8d4b4f7a9c2e1a2b3c4d5e6f', '{3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f}', "'%20OR%201=1--", '%00', '..%2F..%2Fetc', '%F0%9F%98%80'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).map(encodeURIComponent),
      ).filter((id) => !accepts({ type: 'string', format: 'uuid' }, decodeURIComponent(id)));
      const unknown = fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), fc.uuid().map((u) => `urn:uuid:${u}`));
      await fc.assert(
        fc.asyncProperty(fc.oneof(malformed.map((id) => ({ id, known: false })), unknown.map((id) => ({ id, known: true }))), fc.constantFrom('GET', 'PATCH', 'DELETE'), async ({ id, known }, method) => {
          const body = method === 'PATCH' ? {} : undefined;
          const answer = await send(app, { method, path: `/tasks/${id}`, token, body });
          if (known) expectRefused(answer, `${method} /tasks/${id} (a well-formed id of no task)`, [404]);
          else {
            expectRefused(answer, `${method} /tasks/${id}`, [422]);
            expect(answer.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'path', field: 'task_id' })]));
          }
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});

describe('GET /tasks query parameters', () => {
  beforeAll(ensureTasks);

  const validQuery = fc.record(
    {
      limit: fc.integer({ min: 1, max: 100 }).map(String),
      status: fc.constantFrom(...(LIST.status.enum as string[])),
      priority: fc.constantFrom(...(LIST.priority.enum as string[])),
      completed: fc.constantFrom('true', 'false'),
      sort: fc.constantFrom(...(LIST.sort.enum as string[])),
      user_id: fc.constant(USER),
      unknown_parameter: fc.constantFrom('x', "'; DROP TABLE tasks; --", '<script>'),
    },
    { requiredKeys: [] },
  );

  test(
    'every combination the contract allows answers 200 with matching tasks, and its Link works',
    async () => {
      await fc.assert(
        fc.asyncProperty(validQuery, async (query) => {
          const qs = new URLSearchParams(query as Record<string, string>).toString();
          const answer = await send(app, { method: 'GET', path: `/tasks?${qs}`, token });
          expectAccepted(answer, 200, `GET /tasks?${qs}`);
          const tasks = answer.json as Task[];
          expect(tasks.length).toBeLessThanOrEqual(Number(query.limit ?? 50));
          for (const task of tasks) {
            expect(accepts(TASK, task)).toBe(true);
            if (query.status) expect(task.status).toBe(query.status);
            if (query.priority) expect(task.priority).toBe(query.priority);
            if (query.completed) expect(String(task.completed)).toBe(query.completed);
          }
          const link = answer.headers.get('link');
          if (link) {
            const next = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
            expect(next).toBeDefined();
            const url = new URL(next!, app.baseUrl);
            expectAccepted(await send(app, { method: 'GET', path: `${url.pathname}${url.search}`, token }), 200, `following ${next}`);
          }
        }),
        params(),
      );
    },
    propertyTimeout(),
  );

  test(
    'every value that breaks a parameter schema is a 422 naming that parameter',
    async () => {
      const names = ['limit', 'status', 'priority', 'completed', 'sort', 'cursor'] as const;
      const broken = fc.constantFrom(...names).chain((name) =>
        (name === 'cursor'
          ? fc.oneof(fc.constantFrom('garbage', 'not a cursor!', "' OR 1=1 --"), fc.base64String({ minLength: 4, maxLength: 40 }), fc.constant('c'.repeat(1025)))
          : invalidQueryValue(LIST[name])
        ).map((value) => ({ name, value })),
      );
      await fc.assert(
        fc.asyncProperty(broken, async ({ name, value }) => {
          const path = `/tasks?${new URLSearchParams({ [name]: value })}`;
          const answer = await send(app, { method: 'GET', path, token });
          expectRefused(answer, `GET ${path}`, [422]);
          expect(answer.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'query', field: name })]));
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});

describe('after the fuzzing', () => {
  test('every stored task of the fuzz user reads back through the paged list, valid and exactly as last returned', async () => {
    const seen = new Map<string, Task>();
    let path: string | undefined = '/tasks?limit=7&sort=created_at';
    while (path) {
      const answer = await send(app, { method: 'GET', path, token });
      expectAccepted(answer, 200, `GET ${path}`);
      for (const task of answer.json as Task[]) {
        if (!accepts(TASK, task)) throw new Error(`a stored task breaks the Task schema: ${explain(TASK, task)}: ${show(task)}`);
        expect(seen.has(task.id)).toBe(false);
        seen.set(task.id, task);
      }
      const next = /<([^>]+)>;\s*rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
      path = next ? `${new URL(next, app.baseUrl).pathname}${new URL(next, app.baseUrl).search}` : undefined;
    }
    expect(seen.size).toBe(stored.size);
    for (const [id, task] of stored) expect(seen.get(id)).toEqual(task);
    // The text columns hold what was sent, code point for code point (titles trimmed).
    for (const task of seen.values()) expect(codePoints(task.title)).toBeLessThanOrEqual(255);
  });
});
