import { HttpProblem } from '../../src/core/problem';
import type { TaskStatus } from '../../src/models/Task';
import { changesForPatch, changesForReplace, fieldsForCreate, normalizeTitle, resolveStatus } from '../../src/services/task-rules';

// What the service decides from a request alone, before any task is read: the new task's fields,
// a write's changes, and the 422s. What the changes do to a task is said in SQL and tested on the
// database (tests/api/task-writes.test.ts).

const DUE = new Date('2026-12-15T17:00:00.000Z');

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
    expect(fieldsForCreate({ title: 'Buy milk' })).toEqual({ title: 'Buy milk', description: null, status: 'pending', priority: 'medium', due_date: null });
  });

  test('takes every field that was sent, the title trimmed and the due date as a Date', () => {
    const fields = fieldsForCreate({ title: '  Report ', description: 'Q4', status: 'in_progress', priority: 'low', due_date: '2026-12-15T19:00:00+02:00' });

    expect(fields).toEqual({ title: 'Report', description: 'Q4', status: 'in_progress', priority: 'low', due_date: DUE });
  });

  test('completed true on create sets the status to completed', () => {
    expect(fieldsForCreate({ title: 'Done', completed: true })).toMatchObject({ status: 'completed' });
  });

  test('completed false on create leaves the default status', () => {
    expect(fieldsForCreate({ title: 'Open', completed: false })).toMatchObject({ status: 'pending' });
  });

  test('status and completed that disagree are a 422 consistency error', () => {
    expectInconsistent(() => fieldsForCreate({ title: 'Odd', status: 'pending', completed: true }));
  });

  test('a blank title is a 422 with rule blank', () => {
    expectBlankTitle(() => fieldsForCreate({ title: '   ' }));
  });

  test('explicit nulls are the same as leaving the nullable fields out', () => {
    expect(fieldsForCreate({ title: 'x', description: null, due_date: null })).toMatchObject({ description: null, due_date: null });
  });
});

describe('the changes of a write, decided before the task is read', () => {
  test.each([
    ['a blank replacing title', () => changesForReplace({ title: '\t' })],
    ['a blank patched title', () => changesForPatch({ title: ' ' })],
  ])('%s is a 422 with rule blank', (_, act) => {
    expectBlankTitle(act);
  });

  test.each([
    ['a replace', () => changesForReplace({ title: 'x', status: 'completed', completed: false })],
    ['a patch', () => changesForPatch({ status: 'in_progress', completed: true })],
  ])('status and completed that disagree in %s are a 422 consistency error', (_, act) => {
    expectInconsistent(act);
  });

  test('a patch names only the fields sent; null clears the nullable ones', () => {
    expect(changesForPatch({ priority: 'low', description: null })).toEqual({
      title: undefined,
      description: null,
      priority: 'low',
      due_date: undefined,
      status: null,
    });
  });

  test('a replace names every field, the ones left out at their defaults', () => {
    expect(changesForReplace({ title: ' Only a title ' })).toEqual({
      title: 'Only a title',
      description: null,
      priority: 'medium',
      due_date: null,
      status: { to: 'pending' },
    });
  });
});
