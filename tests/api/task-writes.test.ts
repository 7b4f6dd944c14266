import fc from 'fast-check';
import { Task, type TaskFields, type TaskStatus } from '../../src/models/Task';
import { taskUpdate } from '../../src/services/task-update';
import {
  changesForComplete,
  changesForPatch,
  changesForReplace,
  changesForToggle,
  type StatusChange,
  type TaskChanges,
  type TaskInput,
} from '../../src/services/task-rules';
import { engineName, serverUrl } from '../helpers/engine';
import { startTestApp, type TestApp } from '../helpers/test-app';

// What a write does to a task, said once, in SQL (src/services/task-update.ts), and applied by the
// database in one statement (Task.updateOwned): each rule of the contract, case by case, then
// generated tasks and changes against the rules written out plainly below (this test's oracle),
// on the run's engine. Every field, whether anything changed, version and updated_at.

const OWNER = 'task-writes-owner';
const EARLIER = new Date('2026-11-01T08:00:00.000Z');
const NOW = new Date('2026-11-30T09:12:44.512Z');
const DUE = new Date('2026-12-15T17:00:00.000Z');
const CREATED = new Date('2026-01-01T00:00:00.000Z');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await app.createUser(OWNER);
});
afterAll(() => app.stop());

function task(overrides: Partial<TaskFields> = {}): TaskFields {
  return { title: 'Write the report', description: 'Numbers from finance', status: 'pending', priority: 'high', due_date: DUE, completed_at: null, ...overrides };
}
const completedTask = (overrides: Partial<TaskFields> = {}) => task({ status: 'completed', completed_at: EARLIER, ...overrides });

const fieldsOf = (row: TaskFields): TaskFields => ({
  title: row.title,
  description: row.description,
  status: row.status,
  priority: row.priority,
  due_date: row.due_date,
  completed_at: row.completed_at,
});

/** `current` stored, `changes` applied by the database at `now`: the fields it leaves, and whether it wrote. */
async function written(current: TaskFields, changes: TaskChanges, now = NOW, on: TestApp = app) {
  const [stored] = await on.knex('tasks').insert({ ...current, user_id: OWNER, created_at: CREATED, updated_at: CREATED }).returning('*');
  const result = await Task.updateOwned(on.knex, { userId: OWNER, taskId: stored.id }, taskUpdate(changes, now));
  const after = await on.knex('tasks').where({ user_id: OWNER, id: stored.id }).first();
  expect(result?.task).toEqual({ ...after });
  const changed = result?.outcome === 'updated';
  expect(after).toMatchObject(changed ? { version: stored.version + 1, updated_at: now } : { version: stored.version, updated_at: CREATED });
  return { fields: fieldsOf(after), changed };
}

describe(`a replace (PUT), on ${engineName}`, () => {
  test('fields left out go back to their defaults', async () => {
    expect((await written(task({ status: 'in_progress' }), changesForReplace({ title: 'Only a title' }))).fields).toEqual({
      title: 'Only a title',
      description: null,
      status: 'pending',
      priority: 'medium',
      due_date: null,
      completed_at: null,
    });
  });

  test('replacing an open task with a completed one sets completed_at to now', async () => {
    expect((await written(task(), changesForReplace({ title: 'x', status: 'completed' }))).fields).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('replacing a completed task with a completed one keeps the original completed_at', async () => {
    expect((await written(completedTask(), changesForReplace({ title: 'x', completed: true }))).fields).toMatchObject({ status: 'completed', completed_at: EARLIER });
  });

  test('replacing a completed task without a status reopens it and clears completed_at', async () => {
    expect((await written(completedTask(), changesForReplace({ title: 'x' }))).fields).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('sending back exactly what the task holds changes nothing', async () => {
    const current = completedTask();
    const input = { title: current.title, description: current.description, status: 'completed' as const, priority: current.priority, due_date: DUE.toISOString(), completed: true };
    expect(await written(current, changesForReplace(input))).toEqual({ fields: current, changed: false });
  });
});

describe(`a patch, on ${engineName}`, () => {
  test('an empty patch changes nothing', async () => {
    expect(await written(completedTask(), changesForPatch({}))).toEqual({ fields: completedTask(), changed: false });
  });

  test('only the fields sent change', async () => {
    expect((await written(task(), changesForPatch({ priority: 'low' }))).fields).toEqual({ ...task(), priority: 'low' });
  });

  test('null clears the description and the due date', async () => {
    expect((await written(task(), changesForPatch({ description: null, due_date: null }))).fields).toMatchObject({ description: null, due_date: null });
  });

  test('a new due date is read as an instant, whatever its offset', async () => {
    expect((await written(task({ due_date: null }), changesForPatch({ due_date: '2026-12-15T12:00:00-05:00' }))).fields.due_date).toEqual(DUE);
  });

  test('a patched title is trimmed', async () => {
    expect((await written(task(), changesForPatch({ title: ' New title  ' }))).fields.title).toBe('New title');
  });

  test('completed true sets the status to completed and completed_at to now', async () => {
    expect((await written(task({ status: 'in_progress' }), changesForPatch({ completed: true }))).fields).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('completed false on a completed task sets it pending and clears completed_at', async () => {
    expect((await written(completedTask(), changesForPatch({ completed: false }))).fields).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('completed false on a task in progress leaves it in progress, and changes nothing', async () => {
    expect(await written(task({ status: 'in_progress' }), changesForPatch({ completed: false }))).toEqual({ fields: task({ status: 'in_progress' }), changed: false });
  });

  test('moving a completed task back to in progress clears completed_at', async () => {
    expect((await written(completedTask(), changesForPatch({ status: 'in_progress' }))).fields).toMatchObject({ status: 'in_progress', completed_at: null });
  });

  test('editing another field of a completed task keeps completed_at', async () => {
    expect((await written(completedTask(), changesForPatch({ title: 'Renamed' }))).fields).toMatchObject({ status: 'completed', completed_at: EARLIER });
  });

  test('completing an already completed task keeps the original completed_at, and changes nothing', async () => {
    expect(await written(completedTask(), changesForPatch({ status: 'completed', completed: true }))).toEqual({ fields: completedTask(), changed: false });
  });

  test('setting a field to the value it has changes nothing (a due date to the same instant included)', async () => {
    expect(await written(task(), changesForPatch({ priority: 'high', due_date: '2026-12-15T18:00:00+01:00', title: 'Write the report' }))).toEqual({ fields: task(), changed: false });
  });
});

describe(`toggle and complete, on ${engineName}`, () => {
  test('toggling a pending task completes it now, touching nothing else', async () => {
    expect((await written(task(), changesForToggle())).fields).toEqual({ ...task(), status: 'completed', completed_at: NOW });
  });

  test('toggling a task in progress completes it now', async () => {
    expect((await written(task({ status: 'in_progress' }), changesForToggle())).fields).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('toggling a completed task reopens it as pending and clears completed_at', async () => {
    expect((await written(completedTask(), changesForToggle())).fields).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('completing an open task sets completed_at to now', async () => {
    expect((await written(task(), changesForComplete(true))).fields).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('completing a completed task changes nothing, completed_at included', async () => {
    expect(await written(completedTask(), changesForComplete(true))).toEqual({ fields: completedTask(), changed: false });
  });

  test('completed false reopens a completed task as pending', async () => {
    expect((await written(completedTask(), changesForComplete(false))).fields).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('completed false on an open task changes nothing', async () => {
    expect(await written(task({ status: 'in_progress' }), changesForComplete(false))).toEqual({ fields: task({ status: 'in_progress' }), changed: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Generated tasks and changes, against the contract's rules written out plainly
// ---------------------------------------------------------------------------------------------

/** The status a task at `current` ends up with (the contract's words for toggle, complete, status). */
function nextStatus(current: TaskStatus, change: StatusChange): TaskStatus {
  if (change === null) return current;
  if ('to' in change) return change.to;
  if ('toggle' in change) return current === 'completed' ? 'pending' : 'completed';
  if (change.completed) return 'completed';
  return current === 'completed' ? 'pending' : current;
}

/** The oracle: the fields after `changes` at `now`; completed_at set on completion, kept while completed. */
function expectedAfter(current: TaskFields, changes: TaskChanges, now: Date): TaskFields {
  const status = nextStatus(current.status, changes.status);
  return {
    title: changes.title ?? current.title,
    description: changes.description === undefined ? current.description : changes.description,
    status,
    priority: changes.priority ?? current.priority,
    due_date: changes.due_date === undefined ? current.due_date : changes.due_date,
    completed_at: status !== 'completed' ? null : current.status === 'completed' ? current.completed_at : now,
  };
}

const STATUSES: TaskStatus[] = ['pending', 'in_progress', 'completed'];
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms));
const priority = fc.constantFrom('low' as const, 'medium' as const, 'high' as const);

const currentTask: fc.Arbitrary<TaskFields> = fc
  .record({
    title: fc.constantFrom('Plan', 'Ship it', 'Ünïcode ✓'),
    description: fc.option(fc.constantFrom('Notes', ''), { nil: null }),
    status: fc.constantFrom(...STATUSES),
    priority,
    due_date: fc.option(instant, { nil: null }),
    completedAt: instant,
  })
  .map(({ completedAt, ...t }) => ({ ...t, completed_at: t.status === 'completed' ? completedAt : null }));

const input: fc.Arbitrary<TaskInput> = fc
  .record(
    {
      title: fc.constantFrom('Plan', ' Plan ', 'Ship it', 'Ünïcode ✓'),
      description: fc.option(fc.constantFrom('Notes', 'Other notes'), { nil: null }),
      status: fc.constantFrom(...STATUSES),
      priority,
      due_date: fc.option(instant.map((d) => d.toISOString()), { nil: null }),
      completed: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .filter((i) => i.status === undefined || i.completed === undefined || (i.status === 'completed') === i.completed);

const changes: fc.Arbitrary<TaskChanges> = fc.oneof(
  input.map(changesForPatch),
  input.map((i) => changesForReplace({ ...i, title: i.title ?? 'Replaced' })),
  fc.constant(changesForToggle()),
  fc.boolean().map(changesForComplete),
);

const same = (a: TaskFields, b: TaskFields) => JSON.stringify(a) === JSON.stringify(b);

test(`generated writes do what the contract says, and write only when something changes (${engineName})`, async () => {
  await fc.assert(
    fc.asyncProperty(currentTask, changes, async (current, change) => {
      const expected = expectedAfter(current, change, NOW);
      expect(await written(current, change)).toEqual({ fields: expected, changed: !same(current, expected) });
    }),
    { numRuns: 300 },
  );
});

// On a server the writes run as named statements by default (src/db/statements.ts); a pooler that
// cannot carry them gets DB_PREPARED_STATEMENTS=off, and the same writes as plain ones.
const onServer = serverUrl === undefined ? test.skip : test;
onServer(`with DB_PREPARED_STATEMENTS=off, generated writes do the same (${serverUrl === undefined ? 'skipped: PGlite has no named statements; set TEST_DATABASE_URL' : engineName})`, async () => {
  const plain = await startTestApp({ DB_PREPARED_STATEMENTS: 'off' });
  try {
    await plain.createUser(OWNER);
    await fc.assert(
      fc.asyncProperty(currentTask, changes, async (current, change) => {
        const expected = expectedAfter(current, change, NOW);
        expect(await written(current, change, NOW, plain)).toEqual({ fields: expected, changed: !same(current, expected) });
      }),
      { numRuns: 100 },
    );
  } finally {
    await plain.stop();
  }
});
