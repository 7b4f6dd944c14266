import type { Knex } from 'knex';
import { APP_ROLE } from '../src/db/roles';

// task_exists runs with its owner's rights (SECURITY DEFINER) past the tasks policy. Without a
// pinned search_path, a caller who sets theirs could make its `tasks` mean a table of their own;
// and like every function it was executable by PUBLIC. Now it reads this schema's tasks only, and
// only the service's own roles (its owner, and the role the policy applies to) may call it.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    DO $$ BEGIN
      EXECUTE format(
        'CREATE OR REPLACE FUNCTION %1$I.task_exists(task uuid) RETURNS boolean
           LANGUAGE sql STABLE SECURITY DEFINER SET search_path = %1$I, pg_temp
           AS $fn$ SELECT EXISTS (SELECT 1 FROM %1$I.tasks WHERE id = task) $fn$',
        current_schema());
    END $$`);
  await knex.raw('REVOKE ALL ON FUNCTION task_exists(uuid) FROM PUBLIC');
  await knex.raw(`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        GRANT EXECUTE ON FUNCTION task_exists(uuid) TO ${APP_ROLE};
      END IF;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('GRANT EXECUTE ON FUNCTION task_exists(uuid) TO PUBLIC');
  await knex.raw('ALTER FUNCTION task_exists(uuid) RESET search_path');
}
