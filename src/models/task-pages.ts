import type { Knex } from 'knex';
import { Task, type TaskPriority, type TaskRow, type TaskStatus } from './Task';

// One page of the caller's tasks: the one task query with many shapes (filters × sorts × a
// position to start after), so the one built with Objection from Task.ownedBy rather than
// written as SQL. Every ORDER BY is exactly an index order read forwards or backwards, so a page
// costs its own size whatever the number of tasks (tests/perf/explain.test.ts checks the plans).

export type SortKey = 'created_at' | 'updated_at' | 'due_date' | 'priority';

export interface Sort {
  key: SortKey;
  descending: boolean;
}

/** Where a page starts: after the row with this sort value (ISO string, priority name, or null: no due date) and id. */
export interface Position {
  value: string | null;
  id: string;
}

export interface PageQuery {
  status?: TaskStatus;
  priority?: TaskPriority;
  completed?: boolean;
  sort: Sort;
  after?: Position;
  limit: number;
}

const CASTS: Record<SortKey, string> = {
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  due_date: 'timestamptz',
  priority: 'task_priority',
};

type TaskQuery = ReturnType<typeof Task.ownedBy>;

/** Rows after `position` in (sort key, id) order, `limit` of them. */
function keysetSlice(query: TaskQuery, sort: Sort, position: Position | undefined, limit: number): TaskQuery {
  const column = `tasks.${sort.key}`;
  const dir = sort.descending ? 'desc' : 'asc';
  const after = sort.descending ? '<' : '>';
  if (position) {
    const cast = CASTS[sort.key];
    // For the timestamps, a plain bound implied by the row comparison is there for the planner:
    // it estimates that one well and so keeps to the ordered index scan on deep pages. (For the
    // three priorities it would only make the estimate worse.)
    if (sort.key !== 'priority') query.whereRaw(`?? ${after}= ?::${cast}`, [column, position.value]);
    query.whereRaw(`(??, tasks.id) ${after} (?::${cast}, ?::uuid)`, [column, position.value, position.id]);
  }
  return query.orderBy(column, dir).orderBy('tasks.id', dir).limit(limit);
}

/**
 * due_date may be null, and undated tasks come last in both directions. Rather than one
 * `NULLS LAST` order (which no index serves in both directions), a page is read in two
 * index-ordered parts: dated tasks after the position, then, if the page is not full, undated
 * tasks by id.
 */
async function dueDatePage(base: () => TaskQuery, sort: Sort, position: Position | undefined, limit: number): Promise<TaskRow[]> {
  const after = sort.descending ? '<' : '>';
  const dir = sort.descending ? 'desc' : 'asc';
  let dated: TaskRow[] = [];
  if (position?.value !== null) {
    dated = await Task.rowsOf(keysetSlice(base().whereNotNull('tasks.due_date'), sort, position, limit));
    if (dated.length >= limit) return dated;
  }
  const undated = base().whereNull('tasks.due_date');
  if (position?.value === null) undated.whereRaw(`tasks.id ${after} ?::uuid`, [position.id]);
  return [...dated, ...(await Task.rowsOf(undated.orderBy('tasks.id', dir).limit(limit - dated.length)))];
}

/** Up to `limit` of the caller's tasks matching the filters, in the sort's order, after `after`. */
export async function pageOwned(db: Knex, userId: string, page: PageQuery): Promise<TaskRow[]> {
  const base = () => {
    const query = Task.ownedBy(userId, db);
    if (page.status !== undefined) query.where('tasks.status', page.status);
    if (page.priority !== undefined) query.where('tasks.priority', page.priority);
    if (page.completed !== undefined) query.where('tasks.completed', page.completed);
    return query;
  };
  return page.sort.key === 'due_date' ? dueDatePage(base, page.sort, page.after, page.limit) : Task.rowsOf(keysetSlice(base(), page.sort, page.after, page.limit));
}

/** Where a page that ends with `task` leaves off. */
export function positionOf(task: TaskRow, sort: Sort): Position {
  const value = task[sort.key];
  return { value: value instanceof Date ? value.toISOString() : value, id: task.id };
}
