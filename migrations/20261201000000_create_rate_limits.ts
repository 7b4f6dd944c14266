import type { Knex } from 'knex';

// Counters of rate-limiter-flexible's PostgreSQL store (RATE_LIMIT_STORE=postgres), in the
// layout it expects. Created here so the service never issues DDL at run time.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE rate_limits (
      key    varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS rate_limits');
}
