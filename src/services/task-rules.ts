import { BlankTitle, InconsistentCompletion, InvalidField } from '../core/errors';
import { parseDateTime, storableInstant } from './date-time';
import type { TaskFields, TaskPriority, TaskStatus } from '../models/Task';

// The rules of a task's state, as pure functions: what a create, replace, patch, toggle or
// complete turns the writable fields into. No I/O here, so every rule has a unit test.

export interface TaskInput {
  title?: string;
  description?: string | null;
  status?: TaskStatus;
  priority?: TaskPriority;
  due_date?: string | null;
  completed?: boolean;
}

const DEFAULTS = { description: null, status: 'pending', priority: 'medium', due_date: null } as const;

export function normalizeTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed === '') throw BlankTitle();
  return trimmed;
}

/**
 * `completed` and `status` are one fact. Given what the client sent and the status the task
 * would otherwise have, the status it ends up with; contradictions are a 422.
 */
export function resolveStatus(sent: { status?: TaskStatus; completed?: boolean }, otherwise: TaskStatus): TaskStatus {
  const { status, completed } = sent;
  if (status !== undefined && completed !== undefined && (status === 'completed') !== completed) {
    throw InconsistentCompletion();
  }
  if (status !== undefined) return status;
  if (completed === true) return 'completed';
  if (completed === false && otherwise === 'completed') return 'pending';
  return otherwise;
}

/** completed_at is set when a task becomes completed, kept while it stays so, cleared otherwise. */
function completedAt(previous: TaskFields | null, status: TaskStatus, now: Date): Date | null {
  if (status !== 'completed') return null;
  return previous?.status === 'completed' ? previous.completed_at : now;
}

/** A due date as sent: the instant it names, which must be one PostgreSQL and the contract can both carry. */
function toDate(value: string | null | undefined): Date | null {
  if (value == null) return null;
  const ms = parseDateTime(value);
  if (ms === undefined || !storableInstant(ms)) {
    throw InvalidField('/due_date', 'range', 'must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (UTC)');
  }
  return new Date(ms);
}

/**
 * What a write does to the status, whatever the task holds: set it, complete or reopen it
 * (`completed: false` reopens only a completed task), flip it, or leave it (null).
 */
export type StatusChange = { to: TaskStatus } | { completed: boolean } | { toggle: true } | null;

/**
 * A write as changes to the writable fields, decided from the request alone (so every 422 comes
 * before the task is read). A field left undefined keeps its value; completed_at follows the
 * status. The same changes are applied here in JavaScript and, in one UPDATE, by the database
 * (src/services/task-update.ts); tests/api/task-changes.test.ts holds the two to the same result.
 */
export interface TaskChanges {
  title?: string;
  description?: string | null;
  priority?: TaskPriority;
  due_date?: Date | null;
  status: StatusChange;
}

function statusChange(sent: { status?: TaskStatus; completed?: boolean }): StatusChange {
  resolveStatus(sent, 'pending'); // the consistency check
  if (sent.status !== undefined) return { to: sent.status };
  if (sent.completed !== undefined) return { completed: sent.completed };
  return null;
}

/** PATCH: only the fields sent change; null clears the nullable ones. */
export function changesForPatch(input: TaskInput): TaskChanges {
  return {
    title: input.title === undefined ? undefined : normalizeTitle(input.title),
    description: input.description,
    priority: input.priority ?? undefined,
    due_date: input.due_date === undefined ? undefined : toDate(input.due_date),
    status: statusChange(input),
  };
}

/** PUT: a full replace; fields left out go back to their defaults. */
export function changesForReplace(input: TaskInput & { title: string }): TaskChanges {
  return {
    title: normalizeTitle(input.title),
    description: input.description ?? DEFAULTS.description,
    priority: input.priority ?? DEFAULTS.priority,
    due_date: toDate(input.due_date),
    status: { to: resolveStatus(input, DEFAULTS.status) },
  };
}

export const changesForToggle = (): TaskChanges => ({ status: { toggle: true } });

export const changesForComplete = (completed: boolean): TaskChanges => ({ status: { completed } });

/** The status a task at `current` ends up with. */
export function nextStatus(current: TaskStatus, change: StatusChange): TaskStatus {
  if (change === null) return current;
  if ('to' in change) return change.to;
  if ('toggle' in change) return current === 'completed' ? 'pending' : 'completed';
  if (change.completed) return 'completed';
  return current === 'completed' ? 'pending' : current;
}

/** The task's writable fields once `changes` are applied at `now`. */
export function applyChanges(current: TaskFields, changes: TaskChanges, now: Date): TaskFields {
  const status = nextStatus(current.status, changes.status);
  return {
    title: changes.title ?? current.title,
    description: changes.description === undefined ? current.description : changes.description,
    status,
    priority: changes.priority ?? current.priority,
    due_date: changes.due_date === undefined ? current.due_date : changes.due_date,
    completed_at: completedAt(current, status, now),
  };
}

/** POST: only the title is required; everything else takes its default. */
export function fieldsForCreate(input: TaskInput & { title: string }, now: Date): TaskFields {
  // The status is resolved before the title is read: a create that breaks both rules is told of the status first.
  const status = resolveStatus(input, DEFAULTS.status);
  return {
    title: normalizeTitle(input.title),
    description: input.description ?? DEFAULTS.description,
    status,
    priority: input.priority ?? DEFAULTS.priority,
    due_date: toDate(input.due_date),
    completed_at: completedAt(null, status, now),
  };
}

const sameInstant = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/** Whether a write would change anything: a write that does not leaves version and timestamps alone. */
export function fieldsDiffer(a: TaskFields, b: TaskFields): boolean {
  return (
    a.title !== b.title ||
    a.description !== b.description ||
    a.status !== b.status ||
    a.priority !== b.priority ||
    !sameInstant(a.due_date, b.due_date) ||
    !sameInstant(a.completed_at, b.completed_at)
  );
}
