import './supported-node';
import './core/env-file';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { buildApp } from './app';
import { resolveJwtSecret } from './auth/secret';
import { databaseReady, superviseWorkers, tellPrimaryServing } from './cluster';
import { ConfigError, loadConfig, type Config } from './core/config';
import { DataDirInUse } from './db/data-dir-lock';
import { createKnex } from './db/knex';
import { migrateToLatest } from '../migrations';
import { DatabaseUnusable, waitForDatabase } from './db/wait';
import { listen, type Listening } from './http/listen';
import { startingApp } from './http/starting-app';
import { createLogger, readableLogs, type ServiceLogger } from './core/log';

// The only place that listens: config, database (wait, migrate), app, signals. The port is taken
// at once and answers /health while the database is awaited (src/http/starting-app.ts); the whole
// service takes over once the database answers and is migrated. With WEB_CONCURRENCY > 1 this
// process only supervises (src/cluster.ts): it prepares the database and the secret once, and
// its workers, each running the rest of main(), take over when it says the database is ready.

const engineOf = (config: Config) => (config.databaseUrl ? 'postgresql' : `pglite (${config.dataDir})`);

/** Where people reach the service: localhost when it listens on every interface. */
function urlOf(config: Config, port: number): string {
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${shown}:${port}`;
}

/** The start-up banner, for people (the log has its own line). */
function announce(config: Config, port: number) {
  const url = urlOf(config, port);
  if (process.stdout.isTTY || config.env !== 'production') {
    const workers = config.workers > 1 ? `, ${config.workers} workers` : '';
    console.log(`\n  Task API ready on ${url}  (database: ${engineOf(config)}${workers})\n  Docs:     ${url}/docs  (try it in the browser)\n  Contract: ${url}/openapi.yaml\n`);
  }
}

/** Stops on SIGTERM/SIGINT: the port drains, then `close` runs, then the process exits 0 (1 after the timeout). */
function stopOnSignals(config: Config, log: ServiceLogger, listening: Listening, close: () => Promise<void>) {
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
    void listening.drain().then(async () => {
      await close();
      log.info({ event: 'shutdown.done' });
      log.flushSync();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** WEB_CONCURRENCY > 1: the supervising process, which never serves requests itself. */
async function supervise(config: Config, log: ServiceLogger) {
  resolveJwtSecret(config); // a development secret is written once, before the workers read it
  const knex = createKnex(config, log);
  const workers = superviseWorkers(config, log, (port) => announce(config, port));
  try {
    await waitForDatabase(knex, log);
    const applied = await migrateToLatest(knex, config.databaseSchema);
    log.info({ event: 'db.migrated', engine: engineOf(config), applied });
  } catch (err) {
    workers.stop();
    throw err;
  } finally {
    await knex.destroy();
  }
  workers.databaseReady();
}

async function serve(config: Config, log: ServiceLogger) {
  const primaryReady = cluster.isWorker ? databaseReady() : undefined; // listening before the message can come
  const knex: Knex = createKnex(config, log); // on PGlite, refused here when another process holds DATA_DIR
  const listening = await listen(startingApp(log), config);
  const { port } = listening.server.address() as AddressInfo;
  const url = urlOf(config, port);
  let close = async () => {
    await knex.destroy();
  };
  stopOnSignals(config, log, listening, () => close());
  log.info({ event: 'started', url }, `${url}: answering /health, waiting for the database`);

  await waitForDatabase(knex, log);
  if (primaryReady) {
    await primaryReady;
  } else {
    const applied = await migrateToLatest(knex, config.databaseSchema);
    log.info({ event: 'db.migrated', engine: engineOf(config), applied });
  }
  const { app, close: closeApp } = await buildApp({ config, knex, log, jwtSecret: resolveJwtSecret(config) });
  close = async () => {
    await closeApp();
    await knex.destroy();
  };
  listening.serve(app);
  log.info({ event: 'listening', url, engine: engineOf(config), docs: `${url}/docs` }, `task API listening on ${url}`);
  if (cluster.isWorker) tellPrimaryServing(port);
  else {
    log.flushSync(); // the log's lines first: the banner is the last thing a person reads
    announce(config, port);
  }
}

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel, readableLogs(config.logFormat, { terminal: process.stdout.isTTY === true, production: config.env === 'production' }));
  try {
    if (config.workers > 1 && cluster.isPrimary) await supervise(config, log);
    else await serve(config, log);
  } catch (err) {
    // What the operator must fix, in one line; the process exits 1 without a stack trace.
    if (err instanceof DatabaseUnusable || err instanceof DataDirInUse) {
      log.fatal({ event: 'startup.failed' }, err.message);
      log.flushSync();
      process.exit(1);
    }
    throw err;
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
  } else {
    console.error('Failed to start:', err);
  }
  process.exit(1);
});
