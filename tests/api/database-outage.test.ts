import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import net from 'node:net';
import type { Knex } from 'knex';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/core/config';
import { createKnex } from '../../src/db/knex';
import { contractFetch } from '../helpers/contract';
import { TEST_SECRET, tokenFor } from '../helpers/tokens';

// The service pointed at a PostgreSQL address where nothing listens: every request that needs
// the database fails fast with 503 and Retry-After, liveness stays up, the process does not die.

let server: Server;
let knex: Knex;
let baseUrl: string;

async function deadPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_SECRET,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${await deadPort()}/test`,
    DB_CONNECT_TIMEOUT_MS: '1000',
    DB_ACQUIRE_TIMEOUT_MS: '1500',
  });
  knex = createKnex(config, pino({ level: 'silent' }));
  const { app } = await buildApp({ config, knex, log: pino({ level: 'silent' }), jwtSecret: new TextEncoder().encode(TEST_SECRET) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await knex.destroy();
});

test('GET /health stays 200 while the database is down', async () => {
  const res = await contractFetch(`${baseUrl}/health`);
  expect(res.status).toBe(200);
});

test('GET /ready answers 503 with Retry-After', async () => {
  const res = await contractFetch(`${baseUrl}/ready`);
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
});

test('a task request answers 503 problem+json with Retry-After, leaking nothing', async () => {
  const res = await contractFetch(`${baseUrl}/tasks`, { headers: { authorization: `Bearer ${await tokenFor('alice')}` } });
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  const body = await res.json();
  expect(body).toMatchObject({ status: 503, detail: 'The database is unavailable, retry shortly' });
  expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|select|stack/i);
});

test('the process keeps serving after repeated failures', async () => {
  const token = await tokenFor('alice');
  const statuses = await Promise.all(
    Array.from({ length: 5 }, () =>
      contractFetch(`${baseUrl}/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"title":"x"}' }).then((r) => r.status),
    ),
  );
  expect(statuses).toEqual([503, 503, 503, 503, 503]);
  expect((await contractFetch(`${baseUrl}/health`)).status).toBe(200);
});
