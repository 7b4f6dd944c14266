import type { Knex } from 'knex';

// Tasks are keyed by (user_id, id) so that every task query carries user_id and the table can
// later be distributed by user_id. Timestamps keep millisecond precision, exactly what a JSON
// date can carry, so a keyset cursor built from a returned row finds that row again.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TYPE task_status AS ENUM ('pending', 'in_progress', 'completed')`);
  // Declared in rank order: ORDER BY priority sorts low < medium < high.
  await knex.raw(`CREATE TYPE task_priority AS ENUM ('low', 'medium', 'high')`);

  await knex.raw(`
    CREATE TABLE users (
      id            text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 255),
      email         text CHECK (email IS NULL OR char_length(email) <= 254),
      password_hash text,
      created_at    timestamptz(3) NOT NULL DEFAULT now(),
      updated_at    timestamptz(3) NOT NULL DEFAULT now()
    )`);
  await knex.raw(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email)) WHERE email IS NOT NULL`);

  await knex.raw(`
    CREATE TABLE tasks (
      user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      id           uuid NOT NULL DEFAULT gen_random_uuid(),
      title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 255 AND btrim(title) <> ''),
      description  text CHECK (char_length(description) <= 10000),
      status       task_status NOT NULL DEFAULT 'pending',
      priority     task_priority NOT NULL DEFAULT 'medium',
      due_date     timestamptz(3),
      completed    boolean GENERATED ALWAYS AS (status = 'completed') STORED,
      completed_at timestamptz(3),
      created_at   timestamptz(3) NOT NULL DEFAULT now(),
      updated_at   timestamptz(3) NOT NULL DEFAULT now(),
      version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      PRIMARY KEY (user_id, id),
      CONSTRAINT tasks_completed_at_matches_status CHECK ((status = 'completed') = (completed_at IS NOT NULL))
    )`);
  // One index per sort key the list endpoint offers, each ending in id for the tie-break.
  await knex.raw(`CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at, id)`);
  await knex.raw(`CREATE INDEX tasks_user_updated_idx ON tasks (user_id, updated_at, id)`);
  await knex.raw(`CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, id)`);
  await knex.raw(`CREATE INDEX tasks_user_due_idx ON tasks (user_id, due_date, id)`);
  // Only for the existence probe of CROSS_USER_TASK_STATUS=403 (not unique: stays distributable).
  await knex.raw(`CREATE INDEX tasks_id_idx ON tasks (id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS tasks');
  await knex.raw('DROP TABLE IF EXISTS users');
  await knex.raw('DROP TYPE IF EXISTS task_priority');
  await knex.raw('DROP TYPE IF EXISTS task_status');
}
