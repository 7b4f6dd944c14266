import type { Knex } from 'knex';
import { loadConfig } from '../../../src/core/config';
import { createKnex } from '../../../src/db/knex';
import { migrateToLatest } from '../../../migrations';
import { freshDatabase } from '../../helpers/database';
import { engineName, serverUrl } from '../../helpers/engine';
import { TEST_SECRET } from '../../helpers/tokens';

// A fresh database for a child-process service (a new schema on the PostgreSQL server, or a copy
// of the migrated PGlite template), plus direct access to it for the test's own checks.
// With PGlite only one process may open a data directory: `inspect` it only while no service runs.

export { engineName, serverUrl };
export const isPostgres = serverUrl !== undefined;

export interface ChildDatabase {
  /** Environment for the service (DATABASE_URL + DATABASE_SCHEMA, or DATA_DIR). */
  env: Record<string, string>;
  /** The same, with DATABASE_URL pointing at 127.0.0.1:`port` (a TcpProxy) instead. */
  envVia(port: number): Record<string, string>;
  /** Runs `fn` with a knex on this database (migrated first), then closes it. */
  inspect<T>(fn: (knex: Knex) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export function childDatabase(): ChildDatabase {
  const db = freshDatabase();
  const env = db.env;
  return {
    env,
    envVia(port: number) {
      if (!env.DATABASE_URL) throw new Error('envVia needs the PostgreSQL engine');
      const url = new URL(env.DATABASE_URL);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return { ...env, DATABASE_URL: url.toString() };
    },
    async inspect(fn) {
      const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, ...env });
      const knex = createKnex(config);
      try {
        await migrateToLatest(knex, config.databaseSchema);
        return await fn(knex);
      } finally {
        await knex.destroy();
      }
    },
    drop: () => db.drop(),
  };
}

/** Where PostgreSQL listens, from TEST_DATABASE_URL (for a proxy in front of it). */
export function serverAddress(): { host: string; port: number } {
  const url = new URL(serverUrl!);
  return { host: url.hostname || '127.0.0.1', port: Number(url.port || 5432) };
}
