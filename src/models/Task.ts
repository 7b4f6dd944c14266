import type { Knex } from 'knex';
import { Model, type QueryBuilder } from 'objection';
import { prepared } from '../db/statements';

export type TaskStatus = 'pending' | 'in_progress' | 'completed';
export type TaskPriority = 'low' | 'medium' | 'high';

/** The columns a client can change; everything else is derived or kept by the database. */
export interface TaskFields {
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  due_date: Date | null;
  completed_at: Date | null;
}

/** The columns of a task in the order the API shows them (the order of Task's fields below). */
const COLUMNS = [
  'id', 'user_id', 'title', 'description', 'status', 'priority', 'due_date', 'completed', 'completed_at', 'created_at', 'updated_at', 'version',
] as const;

/** The columns of a task read or written, quoted, for SELECT (rowsOf, findOwned) and RETURNING lists. */
const RETURNING = COLUMNS.map((column) => `"${column}"`).join(', ');
const SELECT_LIST = COLUMNS.map((column) => `"tasks"."${column}"`).join(', ');

/** The columns an insert is given; completed_at follows the status, the rest have defaults or are generated. */
const INSERTED = ['user_id', 'title', 'description', 'status', 'priority', 'due_date', 'created_at', 'updated_at'] as const;

// The single-shape statements (see updateOwned).
const FIND_OWNED = `SELECT ${SELECT_LIST} FROM "tasks" WHERE "tasks"."user_id" = ? AND "tasks"."id" = ? LIMIT 1`;
// A task created completed was completed when it was created.
const INSERT = `INSERT INTO "tasks" (${INSERTED.map((column) => `"${column}"`).join(', ')}, "completed_at")
  VALUES (${INSERTED.map(() => '?').join(', ')}, CASE WHEN ?::task_status = 'completed' THEN ?::timestamptz END) RETURNING ${RETURNING}`;

/** A piece of SQL and its bindings (knex `?` placeholders). */
export interface SqlFragment {
  sql: string;
  bindings: Knex.Value[];
}

/** One task of one owner, to be written if it is at one of `versions` (what an If-Match allows), when given. */
export interface OwnedTask {
  userId: string;
  taskId: string;
  versions?: number[];
}

/** The scope of ownedBy, and the id. */
const ownedTask = ({ userId, taskId }: OwnedTask): SqlFragment => ({ sql: '"tasks"."user_id" = ? AND "tasks"."id" = ?', bindings: [userId, taskId] });

/** Whether the row is at a version If-Match allows: any when none are given, none when the list is empty. */
function allowedVersion({ versions }: OwnedTask): SqlFragment {
  if (versions === undefined) return { sql: 'TRUE', bindings: [] };
  if (versions.length === 0) return { sql: 'FALSE', bindings: [] };
  // One text whatever the number of versions, so the statement keeps its name (src/db/statements.ts).
  return { sql: '"tasks"."version" = ANY(?::integer[])', bindings: [versions] };
}

/** The changes of a write as SQL: the SET list, and whether they would change the row as it is. */
export interface TaskUpdate {
  set: SqlFragment;
  changes: SqlFragment;
}

/**
 * What a conditional write came to: `updated`; `unchanged` (it would change nothing, so nothing
 * was written); `stale` (If-Match named another version); `conflict` (another write committed
 * between this statement's snapshot and its update: asking again decides).
 */
export type WriteOutcome = 'updated' | 'unchanged' | 'stale' | 'conflict';

const join = (fragments: SqlFragment[], separator: string): SqlFragment => ({
  sql: fragments.map((f) => f.sql).join(separator),
  bindings: fragments.flatMap((f) => f.bindings),
});

/** A task as the API sends it: the row's columns, as a plain object or a model. */
export type TaskRow = Pick<Task, (typeof COLUMNS)[number]>;

/** A new task as the service writes it: its fields (completed_at follows the status) and its owner and times. */
export type NewTask = Omit<TaskFields, 'completed_at'> & { user_id: string; created_at: Date; updated_at: Date };

/** A row of the single-statement write, split into what happened and the task as it is. */
function outcomeOf(row: (TaskRow & { outcome: WriteOutcome }) | undefined): { outcome: WriteOutcome; task: TaskRow } | undefined {
  if (!row) return undefined;
  const { outcome, ...task } = row;
  return { outcome, task };
}

export class Task extends Model {
  static tableName = 'tasks';
  static idColumn = ['user_id', 'id'];

  id!: string;
  user_id!: string;
  title!: string;
  description!: string | null;
  status!: TaskStatus;
  priority!: TaskPriority;
  due_date!: Date | null;
  completed!: boolean; // generated column: status = 'completed'
  completed_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
  version!: number;

  /**
   * A query of the tasks table already restricted to one owner, so "not yours" and "does not
   * exist" are the same empty result. Two idioms reach the table, each for one kind of statement:
   * the page of a list, which has many shapes, is built from this (src/models/task-pages.ts); the
   * single-shape statements below are SQL with the same restriction, built once.
   */
  static ownedBy(userId: string, db: Knex): QueryBuilder<Task> {
    return Task.query(db).where('tasks.user_id', userId);
  }

  /**
   * The rows a query of tasks finds, as plain objects. Objection would build a model per row
   * (and clone each again to serialise it): a task read only to be sent gains nothing from that.
   */
  static async rowsOf(query: QueryBuilder<Task>): Promise<TaskRow[]> {
    // The columns named, in the models' order, so a task reads the same from every route.
    return (await query.select(Task.raw(SELECT_LIST)).toKnexQuery()) as TaskRow[];
  }

  /**
   * The caller's task by id, as a plain row, or undefined: the query of ownedBy(userId) with
   * WHERE tasks.id, written as SQL (see the note on updateOwned for why the busiest statements are).
   */
  static async findOwned(db: Knex, userId: string, taskId: string): Promise<TaskRow | undefined> {
    const { rows } = await db.raw(FIND_OWNED, [userId, taskId]);
    return rows[0];
  }

  /** Inserts one task for its owner (`user_id` in `row`) and returns it as written, as a plain row. */
  static async insertOwned(db: Knex, row: NewTask): Promise<TaskRow> {
    const { rows } = await db.raw(INSERT, [...INSERTED.map((column) => row[column]), row.status, row.created_at]);
    return rows[0];
  }

  /**
   * The one way a task is changed: a single statement that updates the caller's task when If-Match
   * allows its version and the changes would change it, and otherwise reads it, saying which
   * (WriteOutcome); undefined when the caller has no such task. `update` undefined: the write names
   * no field, so it can only read. No transaction and no lock of its own: the UPDATE locks the row
   * it writes, and a write that changes nothing writes nothing.
   *
   * This, findOwned, insertOwned and deleteOwned are the single-shape statements, written as SQL
   * here rather than built by Objection and knex on every request (docs/performance.md has what the
   * builders cost). They keep the scope of ownedBy (WHERE tasks.user_id = the caller); lists, with
   * their many shapes, are built from ownedBy.
   */
  static async updateOwned(db: Knex, target: OwnedTask, update: TaskUpdate | undefined): Promise<{ outcome: WriteOutcome; task: TaskRow } | undefined> {
    const owned = ownedTask(target);
    const allowed = allowedVersion(target);
    if (!update) {
      const read = join([{ sql: `SELECT CASE WHEN`, bindings: [] }, allowed, { sql: `THEN 'unchanged' ELSE 'stale' END AS "outcome", ${SELECT_LIST} FROM "tasks" WHERE`, bindings: [] }, owned], ' ');
      return outcomeOf((await prepared(db, read.sql, read.bindings)).rows[0]);
    }
    const statement = join(
      [
        { sql: 'WITH "updated" AS (UPDATE "tasks" SET', bindings: [] },
        update.set,
        { sql: 'WHERE', bindings: [] },
        owned,
        { sql: 'AND', bindings: [] },
        allowed,
        { sql: 'AND', bindings: [] },
        update.changes,
        { sql: `RETURNING ${RETURNING}) SELECT 'updated' AS "outcome", * FROM "updated" UNION ALL SELECT CASE WHEN NOT (`, bindings: [] },
        allowed,
        { sql: `) THEN 'stale' WHEN`, bindings: [] },
        update.changes,
        { sql: `THEN 'conflict' ELSE 'unchanged' END, ${SELECT_LIST} FROM "tasks" WHERE`, bindings: [] },
        owned,
        { sql: 'AND NOT EXISTS (SELECT 1 FROM "updated")', bindings: [] },
      ],
      ' ',
    );
    return outcomeOf((await prepared(db, statement.sql, statement.bindings)).rows[0]);
  }

  /**
   * Deletes the caller's task when If-Match allows its version, in one statement that otherwise
   * reads the version it has: `deleted`, `stale` (with the current version), `conflict` (changed
   * or deleted meanwhile: ask again), or undefined when the caller has no such task.
   */
  static async deleteOwned(db: Knex, target: OwnedTask): Promise<{ outcome: 'deleted' | 'stale' | 'conflict'; version: number } | undefined> {
    const owned = ownedTask(target);
    const allowed = allowedVersion(target);
    const statement = join(
      [
        { sql: 'WITH "deleted" AS (DELETE FROM "tasks" WHERE', bindings: [] },
        owned,
        { sql: 'AND', bindings: [] },
        allowed,
        { sql: `RETURNING "tasks"."version") SELECT 'deleted' AS "outcome", "version" FROM "deleted" UNION ALL SELECT CASE WHEN`, bindings: [] },
        allowed,
        { sql: `THEN 'conflict' ELSE 'stale' END, "tasks"."version" FROM "tasks" WHERE`, bindings: [] },
        owned,
        { sql: 'AND NOT EXISTS (SELECT 1 FROM "deleted")', bindings: [] },
      ],
      ' ',
    );
    return (await prepared(db, statement.sql, statement.bindings)).rows[0];
  }

  /**
   * The one unscoped read of the table: the existence probe behind CROSS_USER_TASK_STATUS=403.
   * It answers only yes or no and returns no task data.
   */
  static async existsForAnyOwner(taskId: string, db: Knex): Promise<boolean> {
    // A SECURITY DEFINER function (see the row level security migration): it sees past the policy.
    const { rows } = await db.raw('select task_exists(?::uuid) as found', [taskId]);
    return rows[0].found === true;
  }
}
