import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../core/config';
import { lockDataDir } from './data-dir-lock';
import { NAMED_STATEMENTS } from './statements';
import { timestamptzParser } from './timestamps';

// pg returns int8 (count(*), sums) as strings while PGlite returns numbers: make both numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
// Timestamps as a UTC session prints them are read without pg's regular expressions (see timestamps.ts).
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, timestamptzParser(pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ)));

/** Where the embedded database keeps its files. */
export const pgliteDir = (config: Config) => path.join(config.dataDir, 'pglite');

/**
 * knex-pglite's client, holding the data directory's lock (src/db/data-dir-lock.ts) from its
 * creation to its destroy: whatever opens the embedded database (the service, `npm run migrate`,
 * the knex CLI through knexfile.ts) is the only one that does.
 */
function lockingPgLiteClient(dataDir: string): typeof Knex.Client {
  const PgLite = ClientPgLite as unknown as typeof Knex.Client;
  return class LockingPgLite extends PgLite {
    private readonly dataDirLock = lockDataDir(dataDir);

    override async destroy(callback?: (err?: unknown) => void): Promise<void> {
      try {
        return await super.destroy(callback);
      } finally {
        this.dataDirLock.release();
      }
    }
  };
}

/**
 * The knex configuration for either engine. Above this function nothing knows which one runs:
 * a PostgreSQL server through a pg pool when DATABASE_URL is set, PGlite in DATA_DIR otherwise.
 */
export function knexConfig(config: Config): Knex.Config {
  const searchPath = [config.databaseSchema];
  if (config.databaseUrl) {
    return {
      client: 'pg',
      connection: {
        connectionString: config.databaseUrl,
        connectionTimeoutMillis: config.db.connectTimeoutMs,
        statement_timeout: config.db.statementTimeoutMs,
        query_timeout: config.db.statementTimeoutMs + 1000,
        application_name: 'task-api',
        keepAlive: true,
      },
      searchPath,
      pool: { min: 0, max: config.db.poolMax, idleTimeoutMillis: 30_000 },
      acquireConnectionTimeout: config.db.acquireTimeoutMs,
      [NAMED_STATEMENTS]: config.db.preparedStatements,
    } as Knex.Config;
  }
  let pglite: PGlite | undefined;
  return {
    client: lockingPgLiteClient(config.dataDir),
    // knex-pglite takes a PGlite of our own when the connection names one: ours reads timestamptz
    // as pg does (PGlite's own parser is `new Date(text)`, which reads the years 0–99 as 19xx).
    connection: (() => {
      pglite ??= new PGlite(pgliteDir(config), { parsers: { [pg.types.builtins.TIMESTAMPTZ]: pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) } });
      return { pglite };
    }) as unknown as Knex.StaticConnectionConfig,
    searchPath,
    acquireConnectionTimeout: config.db.acquireTimeoutMs,
  };
}

/** A knex instance for the configured engine; its own warnings go to the service log. */
export function createKnex(config: Config, log?: Logger): Knex {
  if (!config.databaseUrl) {
    const dir = pgliteDir(config);
    // Said out loud: a new empty database where one was expected (another DATA_DIR, a moved
    // project) would otherwise look like lost data.
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) log?.warn({ event: 'db.created', dir }, `no embedded database in ${dir} yet: creating a new one there`);
    fs.mkdirSync(dir, { recursive: true });
  }
  // knex's own lines, one line each (it writes the driver's stack into its messages). A failed
  // connection attempt is reported by whoever asked for the connection (a 503, a start-up retry).
  const line = (message: unknown) => String(message).split('\n')[0];
  const knexLog = log && {
    warn: (message: unknown) =>
      line(message).startsWith('Acquire connection error') ? log.debug({ event: 'knex' }, line(message)) : log.warn({ event: 'knex' }, line(message)),
    error: (message: unknown) => log.error({ event: 'knex' }, line(message)),
    deprecate: (message: unknown) => log.warn({ event: 'knex.deprecation' }, line(message)),
    debug: (message: unknown) => log.debug({ event: 'knex' }, line(message)),
  };
  return knexFactory({ ...knexConfig(config), ...(knexLog ? { log: knexLog } : {}) });
}
