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
 * status. What they do to a task is said once, in SQL (src/services/task-update.ts).
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

/** POST: only the title is required; everything else takes its default (completed_at follows the status, in SQL). */
export function fieldsForCreate(input: TaskInput & { title: string }): Omit<TaskFields, 'completed_at'> {
  // The status is resolved before the title is read: a create that breaks both rules is told of the status first.
  const status = resolveStatus(input, DEFAULTS.status);
  return {
    title: normalizeTitle(input.title),
    description: input.description ?? DEFAULTS.description,
    status,
    priority: input.priority ?? DEFAULTS.priority,
    due_date: toDate(input.due_date),
  };
}
