import fs from 'node:fs';
import path from 'node:path';

/** The nearest `file` at or above `from`: how code in src/ and in dist/src/ finds the project's files. */
export function findUp(file: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${file} not found above ${from}`);
  }
}

/**
 * The project's folder (where package.json is), whichever folder the service was started from:
 * relative paths in the configuration (DATA_DIR) and the .env file are taken from here, so a
 * service started elsewhere still finds its database and secret.
 */
export const PROJECT_ROOT = path.dirname(findUp('package.json', __dirname));
