import type { Knex } from 'knex';
import type { CallerScope } from '../db/scope';
import type { Logger } from 'pino';
import { isForeignKeyViolation } from '../db/errors';
import { InvalidToken, StaleETag, TaskBusy, TaskNotFound, TaskOfAnotherUser } from '../core/errors';
import { User } from '../models/User';
import { etagFor, ifMatchVersions } from '../core/etag';
import { taskUpdate } from './task-update';
import { Task, type TaskRow, type TaskPriority, type TaskStatus } from '../models/Task';
import { pageOwned, positionOf } from '../models/task-pages';
import { decodeCursor, encodeCursor, parseSort } from './cursor';
import { changesForComplete, changesForPatch, changesForReplace, changesForToggle, fieldsForCreate, type TaskChanges, type TaskInput } from './task-rules';

// Task use cases. Every one takes the caller's id first and reaches the table only through the
// Task model's methods, each scoped to that id (pageOwned, findOwned, insertOwned, updateOwned,
// deleteOwned), so another user's task is simply not found. (eslint.config.mjs keeps queries and
// SQL out of everything but src/models and src/db.)

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
        // One row past the page tells whether another page follows.
        const page = await pageOwned(db, userId, { ...options, sort, after: position, limit: options.limit + 1 });
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
