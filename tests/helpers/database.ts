import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { serverUrl } from './engine';

// A fresh database for one test file: a new schema on the PostgreSQL server, or a copy of the
// migrated PGlite template. Parallel files and parallel runs never share tables.

let counter = 0;

export interface TestDatabase {
  /** Environment for loadConfig that points the service at this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export function freshDatabase(): TestDatabase {
  const runId = process.env.TASK_API_TEST_RUN_ID ?? 'local';
  const runDir = process.env.TASK_API_TEST_RUN_DIR!;
  const name = `t_${runId}_${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}_${++counter}`;
  const dataDir = path.join(runDir, name);
  if (serverUrl) {
    return {
      env: { DATABASE_URL: serverUrl, DATABASE_SCHEMA: name, DATA_DIR: dataDir },
      async drop() {
        const admin = knexFactory({ client: 'pg', connection: serverUrl });
        try {
          await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [name]);
        } finally {
          await admin.destroy();
        }
      },
    };
  }
  fs.cpSync(path.join(runDir, 'template'), dataDir, { recursive: true });
  return {
    env: { DATA_DIR: dataDir },
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
