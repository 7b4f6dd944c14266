import 'dotenv/config';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app';
import { resolveJwtSecret } from './auth/secret';
import { ConfigError, loadConfig } from './config';
import { createKnex } from './db/knex';
import { migrateToLatest } from './db/migrate';
import { waitForDatabase } from './db/wait';
import { listen } from './http/listen';
import { createLogger } from './log';

// The only place that listens: config, database (wait, migrate), app, signals.

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const knex = createKnex(config, log);
  const engine = config.databaseUrl ? 'postgresql' : `pglite (${config.dataDir})`;

  await waitForDatabase(knex, log);
  const applied = await migrateToLatest(knex, config.databaseSchema);
  log.info({ event: 'db.migrated', engine, applied });

  const { app, close } = await buildApp({ config, knex, log, jwtSecret: resolveJwtSecret(config) });
  const server = await listen(app, config);

  const { port } = server.address() as AddressInfo;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shown}:${port}`;
  log.info({ event: 'listening', url, engine, docs: `${url}/docs` }, `task API listening on ${url}`);
  if (process.stdout.isTTY || config.env !== 'production') {
    console.log(`\n  Task API ready on ${url}  (database: ${engine})\n  Docs:     ${url}/docs  (try it in the browser)\n  Contract: ${url}/openapi.yaml\n`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown', signal }, 'stopping: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      log.error({ event: 'shutdown.timeout' }, 'requests still in flight after the timeout; exiting');
      log.flushSync();
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(async () => {
      await close();
      await knex.destroy();
      log.info({ event: 'shutdown.done' });
      log.flushSync();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
  } else {
    console.error('Failed to start:', err);
  }
  process.exit(1);
});
