import type { Knex } from 'knex';
import * as createUsersAndTasks from './20261130000000_create_users_and_tasks';
import * as createRateLimits from './20261201000000_create_rate_limits';
import * as rowLevelSecurity from './20261202000000_row_level_security';
import * as pinTaskExists from './20261207000000_pin_task_exists';
import * as accountOrigins from './20261207010000_account_origins';

// Migrations are listed here rather than discovered on disk, so the same list runs from
// TypeScript (tests, tsx) and from the compiled dist/ without globbing for .ts or .js.
const migrations: Record<string, Knex.Migration> = {
  '20261130000000_create_users_and_tasks': createUsersAndTasks,
  '20261201000000_create_rate_limits': createRateLimits,
  '20261202000000_row_level_security': rowLevelSecurity,
  '20261207000000_pin_task_exists': pinTaskExists,
  '20261207010000_account_origins': accountOrigins,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

/** Applies pending migrations in `schema` (made if missing); the names of those applied. */
export async function migrateToLatest(knex: Knex, schema: string): Promise<string[]> {
  await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  const [, applied] = (await knex.migrate.latest({ migrationSource, schemaName: schema })) as [number, string[]];
  return applied;
}
