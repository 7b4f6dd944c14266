import type { Knex } from 'knex';
import { Model, type QueryBuilder } from 'objection';

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

/** The columns an insert sets; the rest have defaults (id, version) or are generated (completed). */
const INSERTED = ['user_id', 'title', 'description', 'status', 'priority', 'due_date', 'completed_at', 'created_at', 'updated_at'] as const;

// The single-shape statements (see updateOwned).
const FIND_OWNED = `SELECT ${SELECT_LIST} FROM "tasks" WHERE "tasks"."user_id" = ? AND "tasks"."id" = ? LIMIT 1`;
const INSERT = `INSERT INTO "tasks" (${INSERTED.map((column) => `"${column}"`).join(', ')}) VALUES (${INSERTED.map(() => '?').join(', ')}) RETURNING ${RETURNING}`;

/** A piece of SQL and its bindings (knex `?` placeholders). */
export interface SqlFragment {
  sql: string;
  bindings: Knex.Value[];
}

/** One task of one owner, at one of `versions` (what an If-Match allows) when they are given. */
export interface OwnedTask {
  userId: string;
  taskId: string;
  versions?: number[];
}

/** The WHERE condition of an OwnedTask: the scope of ownedBy, the id, the versions. */
function ownedTaskCondition({ userId, taskId, versions }: OwnedTask): SqlFragment {
  const atVersion = versions ? ` AND "tasks"."version" IN (${versions.map(() => '?').join(', ')})` : '';
  return { sql: `"tasks"."user_id" = ? AND "tasks"."id" = ?${atVersion}`, bindings: [userId, taskId, ...(versions ?? [])] };
}

/** A task as the API sends it: the row's columns, as a plain object or a model. */
export type TaskRow = Pick<Task, (typeof COLUMNS)[number]>;

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
   * The way into the tasks table: a query already restricted to one owner (the single-shape
   * statements below keep the same restriction),
   * so "not yours" and "does not exist" are the same empty result.
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
  static async insertOwned(db: Knex, row: TaskFields & { user_id: string; created_at: Date; updated_at: Date }): Promise<TaskRow> {
    const { rows } = await db.raw(INSERT, INSERTED.map((column) => row[column]));
    return rows[0];
  }

  /**
   * One UPDATE of the caller's task: SET `set` WHERE it is the caller's (the scope of ownedBy),
   * at one of `versions` when given, and `condition` holds; RETURNING the row as written, or
   * nothing when no row matched. tests/api/task-changes.test.ts runs it against the rules in
   * JavaScript.
   *
   * This, the two above and deleteOwned below are the single-shape statements, so they are
   * written as SQL here rather than built by Objection and knex on every request: side by side,
   * the builders cost a fifth of a PATCH request's CPU (their allocations and code spread over
   * every request in flight). They keep the scope of ownedBy (WHERE tasks.user_id = the caller);
   * lists, with their many shapes, and the locked read-modify-write are still built from ownedBy.
   */
  static async updateOwned(db: Knex, target: OwnedTask, set: SqlFragment, condition: SqlFragment): Promise<TaskRow | undefined> {
    const owned = ownedTaskCondition(target);
    const { rows } = await db.raw(
      `UPDATE "tasks" SET ${set.sql} WHERE ${owned.sql} AND ${condition.sql} RETURNING ${RETURNING}`,
      [...set.bindings, ...owned.bindings, ...condition.bindings],
    );
    return rows[0];
  }

  /**
   * Deletes the caller's task (at one of `versions` when given); whether a row was deleted.
   * RETURNING, not the affected-row count: knex-pglite does not report the count.
   */
  static async deleteOwned(db: Knex, target: OwnedTask): Promise<boolean> {
    const owned = ownedTaskCondition(target);
    const { rows } = await db.raw(`DELETE FROM "tasks" WHERE ${owned.sql} RETURNING "tasks"."id"`, owned.bindings);
    return rows.length > 0;
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
