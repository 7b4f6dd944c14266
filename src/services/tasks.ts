import type { Knex } from 'knex';
import type { CallerScope } from '../db/scope';
import type { Logger } from 'pino';
import { isForeignKeyViolation } from '../db/errors';
import { InvalidToken, StaleETag, TaskBusy, TaskNotFound, TaskOfAnotherUser } from '../core/errors';
import { User } from '../models/User';
import { etagFor, ifMatchVersions } from '../core/etag';
import { taskUpdate } from './task-update';
import { Task, type TaskRow, type TaskPriority, type TaskStatus } from '../models/Task';
import { decodeCursor, encodeCursor, parseSort, type Position, type Sort } from './cursor';
import { changesForComplete, changesForPatch, changesForReplace, changesForToggle, fieldsForCreate, type TaskChanges, type TaskInput } from './task-rules';

// Task use cases. Every one takes the caller's id first and reaches the table only through the
// Task model scoped to that id (Task.ownedBy(userId), findOwned, insertOwned, updateOwned,
// deleteOwned), so another user's task is simply not found.

export interface ListOptions {
  limit: number;
  cursor?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  completed?: boolean;
  sort?: string;
}

export interface TaskPage {
  tasks: TaskRow[];
  /** Cursor of the next page, when there is one. */
  next?: string;
}

export interface TaskServiceDeps {
  /** Runs each caller's queries in their scope (and under Row Level Security when it is on). */
  scope: CallerScope;
  log: Logger;
  crossUserTaskStatus: 403 | 404;
}

const filterKeyOf = (o: ListOptions) =>
  [o.status ?? '', o.priority ?? '', o.completed === undefined ? '' : String(o.completed)].join('|');

/** A write that keeps meeting writes committed under it gives up after this many statements (503). */
const MAX_ATTEMPTS = 20;

const CASTS: Record<Sort['key'], string> = {
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  due_date: 'timestamptz',
  priority: 'task_priority',
};

type TaskQuery = ReturnType<typeof Task.ownedBy>;

/**
 * One index-ordered page slice: rows after `position` in (sort key, id) order. Every ORDER BY
 * here is exactly an index order read forwards or backwards, so a page costs its own size
 * whatever the number of tasks (no sort of the user's whole list).
 */
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
 * index-ordered parts: dated tasks after the cursor, then, if the page is not full, undated
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

function positionOf(task: TaskRow, sort: Sort): Position {
  const value = task[sort.key];
  return { value: value instanceof Date ? value.toISOString() : value, id: task.id };
}

export function taskService({ scope, log, crossUserTaskStatus }: TaskServiceDeps) {
  /**
   * Authentication checks the token, not the database: whether its user still exists is asked
   * only when a query comes back empty (or an insert finds no such user), so the common request
   * makes one round trip. A deleted account is still refused (401) at its first request.
   */
  async function assertCallerExists(userId: string, db: Knex): Promise<void> {
    if (await User.existsById(userId, db)) return;
    log.info({ event: 'auth.token_rejected', reason: 'unknown_user', user_id: userId });
    throw InvalidToken();
  }

  /** The 404 for a task outside the caller's scope, or 403 in CROSS_USER_TASK_STATUS=403 mode. */
  async function notFound(userId: string, taskId: string, db: Knex): Promise<Error> {
    await assertCallerExists(userId, db);
    if (crossUserTaskStatus === 403 && (await Task.existsForAnyOwner(taskId, db))) return TaskOfAnotherUser();
    return TaskNotFound();
  }

  /**
   * Applies `changes` to the caller's task in one statement (Task.updateOwned): written when
   * If-Match allows its version and they would change it; a write that changes nothing answers
   * the task as it is, version and timestamps untouched; a stale If-Match is a 412. When another
   * write commits between the statement's snapshot and its update, the statement is asked again.
   */
  async function write(userId: string, taskId: string, ifMatch: string | undefined, changes: TaskChanges): Promise<TaskRow> {
    const update = taskUpdate(changes, new Date());
    const target = { userId, taskId, versions: ifMatchVersions(ifMatch) };
    for (let attempt = 1; ; attempt++) {
      const result = await scope.run(userId, (db) => Task.updateOwned(db, target, update));
      if (!result) throw await scope.run(userId, (db) => notFound(userId, taskId, db));
      switch (result.outcome) {
        case 'updated':
          log.info({ event: 'task.updated', user_id: userId, task_id: taskId, version: result.task.version });
          return result.task;
        case 'unchanged':
          return result.task;
        case 'stale':
          throw StaleETag(etagFor(result.task.version));
        case 'conflict':
          if (attempt >= MAX_ATTEMPTS) throw TaskBusy();
      }
    }
  }

  return {
    async list(userId: string, options: ListOptions): Promise<TaskPage> {
      const sort = parseSort(options.sort);
      const filterKey = filterKeyOf(options);
      const position = options.cursor === undefined ? undefined : decodeCursor(options.cursor, sort, filterKey);
      const rows = await scope.run(userId, async (db) => {
        const base = () => {
          const query = Task.ownedBy(userId, db);
          if (options.status !== undefined) query.where('tasks.status', options.status);
          if (options.priority !== undefined) query.where('tasks.priority', options.priority);
          if (options.completed !== undefined) query.where('tasks.completed', options.completed);
          return query;
        };
        // One row past the page tells whether another page follows.
        const wanted = options.limit + 1;
        const page = await (sort.key === 'due_date'
          ? dueDatePage(base, sort, position, wanted)
          : Task.rowsOf(keysetSlice(base(), sort, position, wanted)));
        if (page.length === 0) await assertCallerExists(userId, db);
        return page;
      });
      const tasks = rows.slice(0, options.limit);
      const more = rows.length > options.limit;
      return { tasks, next: more ? encodeCursor(sort, filterKey, positionOf(tasks[tasks.length - 1], sort)) : undefined };
    },

    get(userId: string, taskId: string): Promise<TaskRow> {
      return scope.run(userId, async (db) => {
        const task = await Task.findOwned(db, userId, taskId);
        if (!task) throw await notFound(userId, taskId, db);
        return task;
      });
    },

    async create(userId: string, input: TaskInput & { title: string }): Promise<TaskRow> {
      const now = new Date();
      const fields = fieldsForCreate(input);
      const insert = () => scope.run(userId, (db) => Task.insertOwned(db, { ...fields, user_id: userId, created_at: now, updated_at: now }));
      let task: TaskRow;
      try {
        task = await insert();
      } catch (err) {
        if (!isForeignKeyViolation(err)) throw err;
        // tasks.user_id references users: no such user means the account is gone. Asked in a
        // scope of its own: under Row Level Security the failed insert's transaction is aborted.
        await scope.run(userId, (db) => assertCallerExists(userId, db));
        task = await insert(); // the account was deleted and made again in between
      }
      log.info({ event: 'task.created', user_id: userId, task_id: task.id });
      return task;
    },

    // The changes are decided from the request alone, so a 422 comes before any lookup (and a 404).
    replace(userId: string, taskId: string, input: TaskInput & { title: string }, ifMatch?: string) {
      return write(userId, taskId, ifMatch, changesForReplace(input));
    },

    patch(userId: string, taskId: string, input: TaskInput, ifMatch?: string) {
      return write(userId, taskId, ifMatch, changesForPatch(input));
    },

    toggle(userId: string, taskId: string, ifMatch?: string) {
      return write(userId, taskId, ifMatch, changesForToggle());
    },

    complete(userId: string, taskId: string, completed: boolean, ifMatch?: string) {
      return write(userId, taskId, ifMatch, changesForComplete(completed));
    },

    /** One statement: deleted when If-Match allows the task's version; 412 when not; 404 when there is none. */
    async remove(userId: string, taskId: string, ifMatch?: string): Promise<void> {
      const target = { userId, taskId, versions: ifMatchVersions(ifMatch) };
      for (let attempt = 1; ; attempt++) {
        const result = await scope.run(userId, (db) => Task.deleteOwned(db, target));
        if (!result) throw await scope.run(userId, (db) => notFound(userId, taskId, db));
        if (result.outcome === 'deleted') break;
        if (result.outcome === 'stale') throw StaleETag(etagFor(result.version));
        if (attempt >= MAX_ATTEMPTS) throw TaskBusy();
      }
      log.info({ event: 'task.deleted', user_id: userId, task_id: taskId });
    },
  };
}

export type TaskService = ReturnType<typeof taskService>;
