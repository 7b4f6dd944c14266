import 'dotenv/config';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app';
import { resolveJwtSecret } from './auth/secret';
import { superviseWorkers } from './cluster';
import { ConfigError, loadConfig, type Config } from './config';
import { DataDirInUse } from './db/data-dir-lock';
import { createKnex } from './db/knex';
import { migrateToLatest } from './db/migrate';
import { waitForDatabase } from './db/wait';
import { listen } from './http/listen';
import { createLogger } from './log';

// The only place that listens: config, database (wait, migrate), app, signals. With
// WEB_CONCURRENCY > 1 the first process prepares the database and the secret once, then
// supervises that many workers (src/cluster.ts), each of which runs the rest of main().

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

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const knex = createKnex(config, log);
  const engine = engineOf(config);
  const clustered = config.workers > 1;

  if (!cluster.isWorker) {
    await waitForDatabase(knex, log);
    const applied = await migrateToLatest(knex, config.databaseSchema);
    log.info({ event: 'db.migrated', engine, applied });
  }
  if (clustered && cluster.isPrimary) {
    resolveJwtSecret(config); // a development secret is written once, before the workers read it
    await knex.destroy();
    superviseWorkers(config, log, (port) => announce(config, port));
    return;
  }
  if (cluster.isWorker) await waitForDatabase(knex, log);

  const { app, close } = await buildApp({ config, knex, log, jwtSecret: resolveJwtSecret(config) });
  const { server, drain } = await listen(app, config);

  const { port } = server.address() as AddressInfo;
  const url = urlOf(config, port);
  log.info({ event: 'listening', url, engine, docs: `${url}/docs` }, `task API listening on ${url}`);
  if (!cluster.isWorker) announce(config, port);

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
    void drain().then(async () => {
      await close();
      await knex.destroy();
      log.info({ event: 'shutdown.done' });
      log.flushSync();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
  } else if (err instanceof DataDirInUse) {
    console.error(`Cannot start: ${err.message}`);
  } else {
    console.error('Failed to start:', err);
  }
  process.exit(1);
});
