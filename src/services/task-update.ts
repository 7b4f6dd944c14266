import type { SqlFragment, TaskUpdate } from '../models/Task';
import type { StatusChange, TaskChanges } from './task-rules';

// What a write does to a task, as SQL, and only here: TaskChanges (decided from the request in
// src/services/task-rules.ts) become a SET list whose every column is an expression of the row as
// it is, and a condition saying whether they would change it. The database applies them in one
// statement (Task.updateOwned). tests/api/task-writes.test.ts holds them to the rules of the
// contract, on generated tasks and changes.

const COMPLETED = "'completed'::task_status";
const PENDING = "'pending'::task_status";

function statusExpression(change: Exclude<StatusChange, null>): SqlFragment {
  if ('to' in change) return { sql: '?::task_status', bindings: [change.to] };
  if ('toggle' in change) return { sql: `CASE WHEN status = ${COMPLETED} THEN ${PENDING} ELSE ${COMPLETED} END`, bindings: [] };
  if (change.completed) return { sql: COMPLETED, bindings: [] };
  return { sql: `CASE WHEN status = ${COMPLETED} THEN ${PENDING} ELSE status END`, bindings: [] };
}

const COLUMNS = [
  ['title', 'text'],
  ['description', 'text'],
  ['priority', 'task_priority'],
  ['due_date', 'timestamptz'],
] as const;

/** `"column" = expression` for each entry, as one SET list. */
function setList(columns: [string, SqlFragment][]): SqlFragment {
  return {
    sql: columns.map(([column, e]) => `"${column}" = ${e.sql}`).join(', '),
    bindings: columns.flatMap(([, e]) => e.bindings),
  };
}

/**
 * The SET list and the "would change" condition of `changes` applied at `now`, or undefined
 * when the changes name no field at all (nothing can change).
 */
export function taskUpdate(changes: TaskChanges, now: Date): TaskUpdate | undefined {
  const set: [string, SqlFragment][] = [];
  const differs: SqlFragment[] = [];
  for (const [column, type] of COLUMNS) {
    const value = changes[column];
    if (value === undefined) continue;
    set.push([column, { sql: `?::${type}`, bindings: [value] }]);
    differs.push({ sql: `?::${type} IS DISTINCT FROM ${column}`, bindings: [value] });
  }
  if (changes.status !== null) {
    const status = statusExpression(changes.status);
    set.push(['status', status]);
    // completed_at follows the status: set when it becomes completed, kept while it stays so.
    set.push(['completed_at', {
      sql: `CASE WHEN (${status.sql}) = ${COMPLETED} THEN CASE WHEN status = ${COMPLETED} THEN completed_at ELSE ?::timestamptz END END`,
      bindings: [...status.bindings, now],
    }]);
    // completed_at changes only with the status, so the status alone tells.
    differs.push({ sql: `(${status.sql}) IS DISTINCT FROM status`, bindings: status.bindings });
  }
  if (differs.length === 0) return undefined;
  set.push(['updated_at', { sql: '?::timestamptz', bindings: [now] }]);
  set.push(['version', { sql: 'version + 1', bindings: [] }]);
  return {
    set: setList(set),
    changes: { sql: `(${differs.map((d) => d.sql).join(' OR ')})`, bindings: differs.flatMap((d) => d.bindings) },
  };
}
