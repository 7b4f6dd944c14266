import { BlankTitle, InconsistentCompletion } from '../http/errors';
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

const toDate = (value: string | null | undefined): Date | null => (value == null ? null : new Date(value));

/** POST: only the title is required; everything else takes its default. */
export function fieldsForCreate(input: TaskInput & { title: string }, now: Date): TaskFields {
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

/** PUT: a full replace; fields left out go back to their defaults. */
export function fieldsForReplace(current: TaskFields, input: TaskInput & { title: string }, now: Date): TaskFields {
  const next = fieldsForCreate(input, now);
  return { ...next, completed_at: completedAt(current, next.status, now) };
}

/** PATCH: only the fields sent change; null clears the nullable ones. */
export function fieldsForPatch(current: TaskFields, input: TaskInput, now: Date): TaskFields {
  const status = resolveStatus(input, current.status);
  return {
    title: input.title === undefined ? current.title : normalizeTitle(input.title),
    description: input.description === undefined ? current.description : input.description,
    status,
    priority: input.priority ?? current.priority,
    due_date: input.due_date === undefined ? current.due_date : toDate(input.due_date),
    completed_at: completedAt(current, status, now),
  };
}

export function fieldsForToggle(current: TaskFields, now: Date): TaskFields {
  return fieldsForPatch(current, { completed: current.status !== 'completed' }, now);
}

export function fieldsForComplete(current: TaskFields, completed: boolean, now: Date): TaskFields {
  return fieldsForPatch(current, { completed }, now);
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
