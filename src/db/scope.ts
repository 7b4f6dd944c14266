import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { APP_ROLE } from './roles';

// Row Level Security, the database's own guard behind Task.ownedBy: with it on, each caller's
// task queries run in a transaction as the role the policy applies to, with app.user_id set to
// the caller, so even a query that forgot its WHERE user_id sees only the caller's rows.

export type RlsSetting = 'on' | 'off' | 'auto';

export interface CallerScope {
  readonly enforced: boolean;
  /** Runs `work` with the caller's scope: in a transaction under RLS, directly otherwise. */
  run<T>(userId: string, work: (db: Knex) => PromiseLike<T>): Promise<T>;
  /** Like run, but always in a transaction (for read-modify-write). */
  transaction<T>(userId: string, work: (trx: Knex.Transaction) => PromiseLike<T>): Promise<T>;
}

const ENTER_SCOPE = "select set_config('role', ?, true), set_config('app.user_id', ?, true)";

export function callerScope(knex: Knex, enforced: boolean): CallerScope {
  async function transaction<T>(userId: string, work: (trx: Knex.Transaction) => PromiseLike<T>): Promise<T> {
    return knex.transaction(async (trx) => {
      if (enforced) await trx.raw(ENTER_SCOPE, [APP_ROLE, userId]);
      return work(trx);
    });
  }
  return {
    enforced,
    transaction,
    run: async (userId, work) => (enforced ? transaction(userId, work) : work(knex)),
  };
}

/** Whether this database lets the service take the policy's role (it may not on a managed server). */
export async function rlsAvailable(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw(
    `select case when exists (select 1 from pg_roles where rolname = ?)
       then pg_has_role(current_user, ?, 'MEMBER') else false end as ok`,
    [APP_ROLE, APP_ROLE],
  );
  return rows[0].ok === true;
}

/** Resolves DB_ROW_LEVEL_SECURITY: `on` insists, `auto` uses it when available, `off` never. */
export async function resolveRls(knex: Knex, setting: RlsSetting, log: Logger): Promise<boolean> {
  if (setting === 'off') return false;
  const available = await rlsAvailable(knex);
  if (!available && setting === 'on') {
    throw new Error(`DB_ROW_LEVEL_SECURITY=on, but the role ${APP_ROLE} does not exist or this user cannot take it`);
  }
  if (!available) log.warn({ event: 'db.rls_unavailable' }, `row level security is off: role ${APP_ROLE} is not available to this user`);
  return available;
}
