import type { Knex } from 'knex';
import { APP_ROLE } from '../src/db/roles';

// Defense in depth: the database itself refuses cross-user access to tasks. The service runs
// each caller's queries as the role `task_api_app` with `app.user_id` set for the transaction
// (src/db/scope.ts); the policy then hides every other user's rows, whatever the query says.
// The table owner (migrations, account deletion) is not subject to it.

export async function up(knex: Knex): Promise<void> {
  // Roles belong to the whole server; creating one needs CREATEROLE, which a managed database
  // may not grant. Without it the policy still exists, and the service reports RLS as unavailable.
  await knex.raw(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN NULL;
    END $$`);
  await knex.raw(`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${APP_ROLE}', current_schema());
        GRANT SELECT, INSERT, UPDATE, DELETE ON users, tasks, rate_limits TO ${APP_ROLE};
      END IF;
    END $$`);
  await knex.raw('ALTER TABLE tasks ENABLE ROW LEVEL SECURITY');
  await knex.raw(`
    CREATE POLICY tasks_of_the_caller ON tasks
      USING (user_id = current_setting('app.user_id', true))
      WITH CHECK (user_id = current_setting('app.user_id', true))`);
  // The existence probe of CROSS_USER_TASK_STATUS=403: yes or no, no data, past the policy.
  await knex.raw(`
    CREATE FUNCTION task_exists(task uuid) RETURNS boolean
      LANGUAGE sql STABLE SECURITY DEFINER
      AS $$ SELECT EXISTS (SELECT 1 FROM tasks WHERE id = task) $$`);
  await knex.raw(`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        GRANT EXECUTE ON FUNCTION task_exists(uuid) TO ${APP_ROLE};
      END IF;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS task_exists(uuid)');
  await knex.raw('DROP POLICY IF EXISTS tasks_of_the_caller ON tasks');
  await knex.raw('ALTER TABLE tasks DISABLE ROW LEVEL SECURITY');
}
