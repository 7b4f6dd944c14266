import path from 'node:path';
import dotenv from 'dotenv';
import { PROJECT_ROOT } from './project-root';

// The project's .env file, loaded into process.env before the configuration is read (variables
// already set win). Imported first by every entry point, from the project's folder rather than
// the current one; DOTENV_CONFIG_PATH names another file (tests point it at none). Quiet: dotenv
// would otherwise print a line of its own at every start.
dotenv.config({ path: process.env.DOTENV_CONFIG_PATH || path.join(PROJECT_ROOT, '.env'), quiet: true });
