import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config';
import { createKnex } from '../../src/db/knex';
import { migrateToLatest } from '../../migrations';
import { serverUrl } from './engine';
import { prismEnabled, startPrism, startUpstreamRouter, type Stoppable } from './prism';

// Once per run: a run id (for schema names on a server) and, for PGlite, a migrated data
// directory that every test file copies instead of booting and migrating a database of its own.
// With PRISM_PROXY=1, also the run's Prism proxy and the router behind it (see prism.ts).
export default async function globalSetup() {
  const runId = crypto.randomBytes(4).toString('hex');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `task-api-test-${runId}-`));
  process.env.TASK_API_TEST_RUN_ID = runId;
  process.env.TASK_API_TEST_RUN_DIR = runDir;
  if (prismEnabled) {
    const router = await startUpstreamRouter();
    const prism = await startPrism(router.url);
    (globalThis as { taskApiPrism?: Stoppable[] }).taskApiPrism = [prism, router];
    process.env.TASK_API_PRISM_URL = prism.url;
  }
  if (serverUrl) return;
  const templateDir = path.join(runDir, 'template');
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: templateDir });
  const knex = createKnex(config);
  try {
    await migrateToLatest(knex, config.databaseSchema);
  } finally {
    await knex.destroy();
  }
}
