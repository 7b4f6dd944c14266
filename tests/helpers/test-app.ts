import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { buildApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/core/config';
import { createKnex } from '../../src/db/knex';
import { migrateToLatest } from '../../migrations';
import { createClient, type Client } from '../../generated/client';
import { contractFetch } from './contract';
import { freshDatabase, type TestDatabase } from './database';
import { capturedLog, stackTracesOutsideServerErrors } from './log-capture';
import { TEST_SECRET, tokenFor } from './tokens';

// The real stack for a test file: the Koa app on port 0 over a fresh database, a generated-SDK
// client whose every response is checked against the contract, and helpers for users and tokens.
// With PRISM_PROXY=1 every request made through `contractFetch` (clients, `request()`) goes to
// the service through the run's `prism proxy --errors` (see prism.ts); `baseUrl` stays the
// service's own origin, which is what it writes in `Link` and `servers`.

export interface TestApp {
  baseUrl: string;
  config: Config;
  knex: Knex;
  /** An SDK client authenticated as `userId` (created in the database first). */
  clientFor(userId: string): Promise<Client>;
  /** A client with no token. */
  anonymous(): Client;
  /** Creates a users row; returns a valid token for it. */
  createUser(userId: string, email?: string): Promise<string>;
  /** The service's log lines at `warn` and above so far (every level with TEST_LOG_LEVEL). */
  logs: Record<string, unknown>[];
  /** Raw HTTP for what the SDK would never send; the response is still checked against the contract. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server and the database connection, then starts both again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db: TestDatabase = freshDatabase();
  // bcrypt at its lowest cost: the tests are about behaviour, not hashing strength.
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, BCRYPT_COST: '4', ...db.env, ...env });
  const { logger: log, lines: logs } = capturedLog();
  let knex: Knex;
  let server: Server;
  let closeApp: () => Promise<void>;
  let baseUrl = '';
  let port = 0; // kept across restarts so clients made before one still reach the service

  async function boot() {
    knex = createKnex(config, log);
    await migrateToLatest(knex, config.databaseSchema);
    const { app, close } = await buildApp({ config, knex, log, jwtSecret: new TextEncoder().encode(TEST_SECRET) });
    closeApp = close;
    server = app.listen(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    port = (server.address() as AddressInfo).port;
    baseUrl = `http://127.0.0.1:${port}`;
  }

  async function halt() {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await closeApp();
    await knex.destroy();
  }

  await boot();

  const self: TestApp = {
    get baseUrl() {
      return baseUrl;
    },
    config,
    get knex() {
      return knex;
    },
    async createUser(userId, email) {
      await knex('users').insert({ id: userId, email: email ?? null }).onConflict('id').ignore();
      return tokenFor(userId);
    },
    async clientFor(userId) {
      const token = await self.createUser(userId);
      return createClient({ baseUrl, fetch: contractFetch as typeof fetch, auth: token });
    },
    anonymous() {
      return createClient({ baseUrl, fetch: contractFetch as typeof fetch });
    },
    request(path, init) {
      return contractFetch(`${baseUrl}${path}`, init);
    },
    async restart() {
      await halt();
      await boot();
    },
    logs,
    async stop() {
      await halt();
      await db.drop();
      const traced = stackTracesOutsideServerErrors(logs);
      if (traced.length > 0) {
        throw new Error(`stack traces in the log outside a 5xx answer:\n${traced.map((line) => JSON.stringify(line).slice(0, 2000)).join('\n')}`);
      }
    },
  };
  return self;
}
