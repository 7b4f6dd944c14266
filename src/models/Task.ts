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

/** The columns of a written task, for RETURNING. */
const RETURNING = COLUMNS.map((column) => `"${column}"`).join(', ');

/** A piece of SQL and its bindings (knex `?` placeholders). */
export interface SqlFragment {
  sql: string;
  bindings: Knex.Value[];
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
   * The only way into the tasks table: a query already restricted to one owner,
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
    return (await query.select(COLUMNS.map((column) => `tasks.${column}`)).toKnexQuery()) as TaskRow[];
  }

  /**
   * The rows an insert or an update of tasks writes, as plain objects (RETURNING the columns in
   * the models' order), for the same reason as rowsOf: a task written only to be sent back gains
   * nothing from a model. Task has no hooks or jsonSchema that running the builder would skip.
   */
  static async rowsWritten<R>(query: QueryBuilder<Task, R>): Promise<TaskRow[]> {
    const knexQuery: Knex.QueryBuilder = query.toKnexQuery();
    return (await knexQuery.returning(COLUMNS as unknown as string[])) as TaskRow[];
  }

  /**
   * One UPDATE of the caller's task: SET `set` WHERE it is the caller's (the scope of ownedBy),
   * at one of `versions` when given, and `condition` holds; RETURNING the row as written, or
   * nothing when no row matched. Written as SQL, not built by Objection and knex: this is the
   * busiest write and has a single shape, and building it through the query builders cost a
   * fifth of a PATCH request's CPU (measured side by side). tests/api/task-changes.test.ts runs
   * it against the rules in JavaScript.
   */
  static async updateOwned(
    db: Knex,
    target: { userId: string; taskId: string; versions?: number[] },
    set: SqlFragment,
    condition: SqlFragment,
  ): Promise<TaskRow | undefined> {
    const { userId, taskId, versions } = target;
    const atVersion = versions ? ` AND tasks.version IN (${versions.map(() => '?').join(', ')})` : '';
    const { rows } = await db.raw(
      `UPDATE tasks SET ${set.sql} WHERE tasks.user_id = ? AND tasks.id = ?${atVersion} AND ${condition.sql} RETURNING ${RETURNING}`,
      [...set.bindings, userId, taskId, ...(versions ?? []), ...condition.bindings],
    );
    return rows[0];
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
