import 'dotenv/config';
import { loadConfig } from './src/config';
import { knexConfig } from './src/db/knex';

// The knex configuration for the current environment: DATABASE_URL, or PGlite in DATA_DIR.
// The service, `npm run migrate` and the knex CLI all build their connection from it.
export default knexConfig(loadConfig());
