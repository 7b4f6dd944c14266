import type { Knex } from 'knex';

/** Applies pending migrations (the list and schema come from the knex config). */
export async function migrateToLatest(knex: Knex, schema: string): Promise<string[]> {
  await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  const [, applied] = (await knex.migrate.latest()) as [number, string[]];
  return applied;
}
