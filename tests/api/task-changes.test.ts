import fc from 'fast-check';
import { Task, type TaskFields, type TaskStatus } from '../../src/models/Task';
import { taskUpdate } from '../../src/services/task-update';
import {
  applyChanges,
  changesForComplete,
  changesForPatch,
  changesForReplace,
  changesForToggle,
  fieldsDiffer,
  type TaskChanges,
  type TaskInput,
} from '../../src/services/task-rules';
import { startTestApp, type TestApp } from '../helpers/test-app';

// A write's rules live twice: applyChanges in JavaScript (the locked read-modify-write, and the
// unit tests of every rule) and taskUpdate's one UPDATE statement (the fast path). Here the
// database applies generated changes to generated tasks, and both must agree on every field,
// on whether anything changed, and on version and updated_at.

const OWNER = 'task-changes-owner';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await app.createUser(OWNER);
});
afterAll(() => app.stop());

const STATUSES: TaskStatus[] = ['pending', 'in_progress', 'completed'];
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms));
const title = fc.constantFrom('Plan', ' Plan ', 'Ship it', 'Ünïcode ✓');
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
  .map(({ completedAt, ...task }) => ({ ...task, completed_at: task.status === 'completed' ? completedAt : null }));

/** Client input as the contract admits it, consistent (the 422s are the rules' unit tests' business). */
const input: fc.Arbitrary<TaskInput> = fc
  .record(
    {
      title,
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

const fieldsOf = (row: Task): TaskFields => ({
  title: row.title,
  description: row.description,
  status: row.status,
  priority: row.priority,
  due_date: row.due_date,
  completed_at: row.completed_at,
});

test('the UPDATE statement applies every change exactly as applyChanges does', async () => {
  await fc.assert(
    fc.asyncProperty(currentTask, changes, async (current, change) => {
      const created = new Date(Date.UTC(2026, 0, 1));
      const stored = await Task.query(app.knex)
        .insert({ ...current, user_id: OWNER, created_at: created, updated_at: created } as never)
        .returning('*');
      const now = new Date(Date.UTC(2026, 10, 30, 9, 12, 44, 512));
      const expected = applyChanges(current, change, now);
      const update = taskUpdate(change, now);

      const written = update ? await Task.updateOwned(app.knex, { userId: OWNER, taskId: stored.id }, update.set, update.changes) : undefined;
      const after = await Task.ownedBy(OWNER, app.knex).where('tasks.id', stored.id).first();

      expect(fieldsOf(after!)).toEqual(expected);
      if (fieldsDiffer(current, expected)) {
        expect(written).toEqual({ ...after });
        expect(after).toMatchObject({ version: stored.version + 1, updated_at: now });
      } else {
        expect(written).toBeUndefined();
        expect(after).toMatchObject({ version: stored.version, updated_at: created });
      }
    }),
    { numRuns: 300 },
  );
});
