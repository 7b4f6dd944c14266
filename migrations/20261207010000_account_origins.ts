import type { Knex } from 'knex';
import { APP_ROLE } from '../src/db/roles';

// Accounts and the tokens that may act for them.
// - users.local: an account registered here (email and password), which only this service's own
//   tokens may act for; the others are known from an identity provider's tokens only.
// - deleted_users: when each deleted account was deleted, so that a token issued before that
//   never provisions it again (AUTH_PROVISION_USERS would otherwise make a fresh, empty account).

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users ADD COLUMN local boolean NOT NULL DEFAULT false');
  await knex.raw('UPDATE users SET local = true WHERE password_hash IS NOT NULL');
  await knex.raw(`
    CREATE TABLE deleted_users (
      id         text PRIMARY KEY,
      deleted_at timestamptz(3) NOT NULL
    )`);
  await knex.raw(`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON deleted_users TO ${APP_ROLE};
      END IF;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS deleted_users');
  await knex.raw('ALTER TABLE users DROP COLUMN IF EXISTS local');
}
