import '../src/supported-node';
import '../src/core/env-file';
import { loadConfig } from '../src/core/config';
import { createKnex } from '../src/db/knex';
import { migrateToLatest } from '../migrations';

// npm run migrate: applies pending migrations to DATABASE_URL, or to the PGlite store in DATA_DIR.
// (The service also migrates on start-up; this is for deploy pipelines and for looking first.)
async function main() {
  const config = loadConfig();
  const knex = createKnex(config);
  try {
    const applied = await migrateToLatest(knex, config.databaseSchema);
    const where = config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`;
    console.log(applied.length ? `Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}` : `${where} is up to date`);
  } finally {
    await knex.destroy();
  }
}

main().catch((err) => {
  console.error('Migration failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
