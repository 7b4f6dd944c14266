import { HttpProblem } from '../../src/core/problem';
import type { TaskFields, TaskStatus } from '../../src/models/Task';
import {
  applyChanges,
  changesForComplete,
  changesForPatch,
  changesForReplace,
  changesForToggle,
  fieldsDiffer,
  fieldsForCreate,
  normalizeTitle,
  resolveStatus,
  type TaskInput,
} from '../../src/services/task-rules';

// Each write as the service makes it: its changes, decided from the request, applied to a task.
const fieldsForReplace = (current: TaskFields, input: TaskInput & { title: string }, now: Date) =>
  applyChanges(current, changesForReplace(input), now);
const fieldsForPatch = (current: TaskFields, input: TaskInput, now: Date) => applyChanges(current, changesForPatch(input), now);
const fieldsForToggle = (current: TaskFields, now: Date) => applyChanges(current, changesForToggle(), now);
const fieldsForComplete = (current: TaskFields, completed: boolean, now: Date) => applyChanges(current, changesForComplete(completed), now);

const EARLIER = new Date('2026-11-01T08:00:00.000Z');
const NOW = new Date('2026-11-30T09:12:44.512Z');
const DUE = new Date('2026-12-15T17:00:00.000Z');

function task(overrides: Partial<TaskFields> = {}): TaskFields {
  return {
    title: 'Write the report',
    description: 'Numbers from finance',
    status: 'pending',
    priority: 'high',
    due_date: DUE,
    completed_at: null,
    ...overrides,
  };
}

const completedTask = (overrides: Partial<TaskFields> = {}) => task({ status: 'completed', completed_at: EARLIER, ...overrides });

/** The 422 problem `act` throws; fails the test when it does not throw one. */
function problemFrom(act: () => unknown): HttpProblem {
  try {
    act();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpProblem);
    return err as HttpProblem;
  }
  throw new Error('expected a 422 problem, nothing was thrown');
}

function expectBlankTitle(act: () => unknown) {
  const problem = problemFrom(act);
  expect(problem.status).toBe(422);
  expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', field: '/title', rule: 'blank' })]);
}

function expectInconsistent(act: () => unknown) {
  const problem = problemFrom(act);
  expect(problem.status).toBe(422);
  expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', field: '/completed', rule: 'consistency' })]);
}

describe('resolveStatus: completed and status are one fact', () => {
  const STATUSES: TaskStatus[] = ['pending', 'in_progress', 'completed'];

  // [sent status, sent completed, status the task would otherwise have, expected status]
  const consistent: [TaskStatus | undefined, boolean | undefined, TaskStatus, TaskStatus][] = [];
  for (const otherwise of STATUSES) {
    consistent.push([undefined, undefined, otherwise, otherwise]);
    consistent.push([undefined, true, otherwise, 'completed']);
    consistent.push([undefined, false, otherwise, otherwise === 'completed' ? 'pending' : otherwise]);
    for (const status of STATUSES) {
      consistent.push([status, undefined, otherwise, status]);
      consistent.push([status, status === 'completed', otherwise, status]);
    }
  }

  test.each(consistent)('status %j with completed %j on a task that is otherwise %s ends up %s', (status, completed, otherwise, expected) => {
    expect(resolveStatus({ status, completed }, otherwise)).toBe(expected);
  });

  const contradictions: [TaskStatus, boolean][] = [
    ['completed', false],
    ['pending', true],
    ['in_progress', true],
  ];
  for (const otherwise of STATUSES) {
    test.each(contradictions)(`status %s with completed %s is a 422 consistency error (otherwise ${otherwise})`, (status, completed) => {
      expectInconsistent(() => resolveStatus({ status, completed }, otherwise));
    });
  }
});

describe('normalizeTitle', () => {
  test('trims surrounding white space', () => {
    expect(normalizeTitle('  Call mum \t\n')).toBe('Call mum');
  });

  test('keeps white space inside the title', () => {
    expect(normalizeTitle('Call   mum')).toBe('Call   mum');
  });

  test.each(['', ' ', '   \t\n  ', '\u00a0\u2003'])('a blank title %j is a 422 with rule blank', (title) => {
    expectBlankTitle(() => normalizeTitle(title));
  });
});

describe('fieldsForCreate', () => {
  test('only a title gives every default', () => {
    expect(fieldsForCreate({ title: 'Buy milk' }, NOW)).toEqual({
      title: 'Buy milk',
      description: null,
      status: 'pending',
      priority: 'medium',
      due_date: null,
      completed_at: null,
    });
  });

  test('takes every field that was sent, the title trimmed and the due date as a Date', () => {
    const fields = fieldsForCreate(
      { title: '  Report ', description: 'Q4', status: 'in_progress', priority: 'low', due_date: '2026-12-15T19:00:00+02:00' },
      NOW,
    );

    expect(fields).toEqual({
      title: 'Report',
      description: 'Q4',
      status: 'in_progress',
      priority: 'low',
      due_date: DUE,
      completed_at: null,
    });
  });

  test('a task created completed is completed now', () => {
    expect(fieldsForCreate({ title: 'Done', status: 'completed' }, NOW)).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('completed true on create sets the status to completed', () => {
    expect(fieldsForCreate({ title: 'Done', completed: true }, NOW)).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('completed false on create leaves the default status', () => {
    expect(fieldsForCreate({ title: 'Open', completed: false }, NOW)).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('status and completed that disagree are a 422 consistency error', () => {
    expectInconsistent(() => fieldsForCreate({ title: 'Odd', status: 'pending', completed: true }, NOW));
  });

  test('a blank title is a 422 with rule blank', () => {
    expectBlankTitle(() => fieldsForCreate({ title: '   ' }, NOW));
  });

  test('explicit nulls are the same as leaving the nullable fields out', () => {
    expect(fieldsForCreate({ title: 'x', description: null, due_date: null }, NOW)).toMatchObject({ description: null, due_date: null });
  });
});

describe('fieldsForReplace (PUT)', () => {
  test('fields left out go back to their defaults', () => {
    const current = task({ status: 'in_progress' });

    expect(fieldsForReplace(current, { title: 'Only a title' }, NOW)).toEqual({
      title: 'Only a title',
      description: null,
      status: 'pending',
      priority: 'medium',
      due_date: null,
      completed_at: null,
    });
  });

  test('replacing an open task with a completed one sets completed_at to now', () => {
    expect(fieldsForReplace(task(), { title: 'x', status: 'completed' }, NOW)).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('replacing a completed task with a completed one keeps the original completed_at', () => {
    const fields = fieldsForReplace(completedTask(), { title: 'x', completed: true }, NOW);

    expect(fields).toMatchObject({ status: 'completed', completed_at: EARLIER });
  });

  test('replacing a completed task without a status reopens it and clears completed_at', () => {
    expect(fieldsForReplace(completedTask(), { title: 'x' }, NOW)).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('a blank title is a 422 with rule blank', () => {
    expectBlankTitle(() => fieldsForReplace(task(), { title: '\t' }, NOW));
  });

  test('status and completed that disagree are a 422 consistency error', () => {
    expectInconsistent(() => fieldsForReplace(completedTask(), { title: 'x', status: 'completed', completed: false }, NOW));
  });

  test('sending back exactly what the task holds changes nothing', () => {
    const current = completedTask();
    const fields = fieldsForReplace(
      current,
      {
        title: current.title,
        description: current.description,
        status: 'completed',
        priority: current.priority,
        due_date: current.due_date!.toISOString(),
        completed: true,
      },
      NOW,
    );

    expect(fieldsDiffer(current, fields)).toBe(false);
  });
});

describe('fieldsForPatch', () => {
  test('an empty patch changes nothing', () => {
    const current = completedTask();

    const fields = fieldsForPatch(current, {}, NOW);

    expect(fields).toEqual(current);
    expect(fieldsDiffer(current, fields)).toBe(false);
  });

  test('only the fields sent change', () => {
    const current = task();

    expect(fieldsForPatch(current, { priority: 'low' }, NOW)).toEqual({ ...current, priority: 'low' });
  });

  test('null clears the description and the due date', () => {
    expect(fieldsForPatch(task(), { description: null, due_date: null }, NOW)).toMatchObject({ description: null, due_date: null });
  });

  test('a new due date is read as an instant, whatever its offset', () => {
    expect(fieldsForPatch(task({ due_date: null }), { due_date: '2026-12-15T12:00:00-05:00' }, NOW).due_date).toEqual(DUE);
  });

  test('a patched title is trimmed', () => {
    expect(fieldsForPatch(task(), { title: ' New title  ' }, NOW).title).toBe('New title');
  });

  test('a blank title is a 422 with rule blank', () => {
    expectBlankTitle(() => fieldsForPatch(task(), { title: ' ' }, NOW));
  });

  test('completed true sets the status to completed and completed_at to now', () => {
    expect(fieldsForPatch(task({ status: 'in_progress' }), { completed: true }, NOW)).toMatchObject({
      status: 'completed',
      completed_at: NOW,
    });
  });

  test('completed false on a completed task sets it pending and clears completed_at', () => {
    expect(fieldsForPatch(completedTask(), { completed: false }, NOW)).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('completed false on a task in progress leaves it in progress', () => {
    expect(fieldsForPatch(task({ status: 'in_progress' }), { completed: false }, NOW)).toMatchObject({
      status: 'in_progress',
      completed_at: null,
    });
  });

  test('moving a completed task back to in progress clears completed_at', () => {
    expect(fieldsForPatch(completedTask(), { status: 'in_progress' }, NOW)).toMatchObject({ status: 'in_progress', completed_at: null });
  });

  test('editing another field of a completed task keeps completed_at', () => {
    expect(fieldsForPatch(completedTask(), { title: 'Renamed' }, NOW)).toMatchObject({ status: 'completed', completed_at: EARLIER });
  });

  test('completing an already completed task keeps the original completed_at', () => {
    expect(fieldsForPatch(completedTask(), { status: 'completed', completed: true }, NOW).completed_at).toEqual(EARLIER);
  });

  test('status and completed that disagree are a 422 consistency error', () => {
    expectInconsistent(() => fieldsForPatch(task(), { status: 'in_progress', completed: true }, NOW));
  });

  test('the current task is not modified', () => {
    const current = task();
    const copy = { ...current };

    fieldsForPatch(current, { title: 'x', completed: true, description: null }, NOW);

    expect(current).toEqual(copy);
  });
});

describe('fieldsForToggle', () => {
  test('toggling a pending task completes it now', () => {
    expect(fieldsForToggle(task(), NOW)).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('toggling a task in progress completes it now', () => {
    expect(fieldsForToggle(task({ status: 'in_progress' }), NOW)).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('toggling a completed task reopens it as pending and clears completed_at', () => {
    expect(fieldsForToggle(completedTask(), NOW)).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('toggling twice gives back a pending task with no completed_at', () => {
    const once = fieldsForToggle(task(), NOW);

    expect(fieldsForToggle(once, NOW)).toEqual(task());
  });

  test('toggling touches nothing but the completion', () => {
    const current = task();

    expect(fieldsForToggle(current, NOW)).toEqual({ ...current, status: 'completed', completed_at: NOW });
  });
});

describe('fieldsForComplete', () => {
  test('completing an open task sets completed_at to now', () => {
    expect(fieldsForComplete(task(), true, NOW)).toMatchObject({ status: 'completed', completed_at: NOW });
  });

  test('completing a completed task changes nothing, completed_at included', () => {
    const current = completedTask();

    const fields = fieldsForComplete(current, true, NOW);

    expect(fields.completed_at).toEqual(EARLIER);
    expect(fieldsDiffer(current, fields)).toBe(false);
  });

  test('completed false reopens a completed task as pending', () => {
    expect(fieldsForComplete(completedTask(), false, NOW)).toMatchObject({ status: 'pending', completed_at: null });
  });

  test('completed false on an open task changes nothing', () => {
    const current = task({ status: 'in_progress' });

    expect(fieldsDiffer(current, fieldsForComplete(current, false, NOW))).toBe(false);
  });
});

describe('fieldsDiffer', () => {
  test('a task does not differ from an equal copy with its own Date objects', () => {
    const a = completedTask();
    const b = { ...a, due_date: new Date(a.due_date!.getTime()), completed_at: new Date(a.completed_at!.getTime()) };

    expect(fieldsDiffer(a, b)).toBe(false);
  });

  test('two tasks without dates do not differ', () => {
    expect(fieldsDiffer(task({ due_date: null }), task({ due_date: null }))).toBe(false);
  });

  test.each<[string, Partial<TaskFields>]>([
    ['title', { title: 'Other' }],
    ['description', { description: 'Other' }],
    ['description cleared', { description: null }],
    ['status', { status: 'in_progress' }],
    ['priority', { priority: 'low' }],
    ['due date moved by a millisecond', { due_date: new Date(DUE.getTime() + 1) }],
    ['due date cleared', { due_date: null }],
    ['completed_at set', { completed_at: NOW }],
  ])('a change of %s is a difference, in both directions', (_name, change) => {
    const a = task();
    const b = task(change);

    expect(fieldsDiffer(a, b)).toBe(true);
    expect(fieldsDiffer(b, a)).toBe(true);
  });
});
