import './src/core/env-file';
import { migrationSource } from './migrations';
import { loadConfig } from './src/core/config';
import { knexConfig } from './src/db/knex';

// The knex configuration for the current environment (DATABASE_URL, or PGlite in DATA_DIR), with
// the migrations, for the knex CLI. The service and `npm run migrate` build theirs the same way.
const config = loadConfig();
export default { ...knexConfig(config), migrations: { migrationSource, schemaName: config.databaseSchema } };
