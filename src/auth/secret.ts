import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/config';

/**
 * The HS256 secret: JWT_SECRET when set (production refuses to start without one, see config),
 * otherwise a random one generated once and kept in DATA_DIR so development tokens survive restarts.
 */
export function resolveJwtSecret(config: Config): Uint8Array {
  if (config.jwt.secret !== undefined) return new TextEncoder().encode(config.jwt.secret);
  const file = path.join(config.dataDir, 'jwt-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return new TextEncoder().encode(fs.readFileSync(file, 'utf8').trim());
}
