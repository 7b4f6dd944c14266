/**
 * `npm run test:contract` (dredd part): starts the service on a fresh database and a free port,
 * waits for /ready, runs dredd against openapi.yaml with the hooks of tests/contract/, stops the
 * service, and exits with dredd's status.
 *
 *   npx tsx scripts/contract-test.ts [extra dredd options…]
 *
 * The database is a new PGlite directory, or, when DATABASE_URL is set, a new schema on that
 * server (dropped afterwards). The service log goes to a temporary file, printed if anything fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import knexFactory from 'knex';
import { freePort } from './free-port';

const root = path.resolve(__dirname, '..');
const REGISTER_LIMIT = 3;
const LOGIN_LIMIT = 3;

function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

async function waitForReady(url: string, service: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exitCode !== null) throw new Error(`the service exited with status ${service.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the service was not ready within ${timeoutMs / 1000} s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(timer);
}

async function main(): Promise<number> {
  const port = await freePort();
  const deadJwksPort = await freePort(); // closed again: fetching the JWKS fails at once
  const baseUrl = `http://127.0.0.1:${port}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'task-api-contract-'));
  const logFile = path.join(work, 'service.log');
  const serverUrl = process.env.DATABASE_URL;
  const schema = `contract_${crypto.randomBytes(4).toString('hex')}`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    JWT_SECRET: crypto.randomBytes(32).toString('base64url'),
    BCRYPT_COST: '4',
    // Each request names its client in X-Forwarded-For, so per-IP throttles stay per transaction.
    TRUST_PROXY: 'true',
    REGISTER_RATE_LIMIT: `${REGISTER_LIMIT}/1h`,
    LOGIN_RATE_LIMIT: `${LOGIN_LIMIT}/15m`,
    LOGIN_IP_RATE_LIMIT: '1000/15m',
    RATE_LIMIT_STORE: 'memory',
    // An identity provider that cannot be reached: RS256 tokens get its 503.
    JWT_JWKS_URL: `http://127.0.0.1:${deadJwksPort}/.well-known/jwks.json`,
    JWT_JWKS_TIMEOUT_MS: '2000',
    AUTH_PROVISION_USERS: 'false',
    CROSS_USER_TASK_STATUS: '404',
    ...(serverUrl ? { DATABASE_SCHEMA: schema } : { DATABASE_URL: '', DATA_DIR: path.join(work, 'data') }),
    // Set (even empty) so that a developer's .env cannot point the run elsewhere.
    CORS_ORIGINS: '',
    JWT_ISSUER: '',
    JWT_AUDIENCE: '',
    REDIS_URL: '',
    BODY_LIMIT: '64kb',
  };

  const log = fs.openSync(logFile, 'a');
  const service = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env, stdio: ['ignore', log, log] });
  let status = 1;
  const interrupt = () => void stop(service).then(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    console.log(`contract: starting the service on ${baseUrl} (${serverUrl ? `PostgreSQL, schema ${schema}` : 'PGlite'})`);
    await waitForReady(baseUrl, service, 120_000);
    // dredd takes the description and the endpoint from its config file, not from the command line.
    const config = yaml.load(fs.readFileSync(path.join(root, 'tests/contract/dredd.yml'), 'utf8')) as Record<string, unknown>;
    const configFile = path.join(work, 'dredd.yml');
    fs.writeFileSync(configFile, yaml.dump({ ...config, blueprint: 'openapi.yaml', endpoint: baseUrl }));
    const dredd = spawn(
      process.execPath,
      ['--import', 'tsx', 'node_modules/dredd/bin/dredd', '--config', configFile, ...process.argv.slice(2)],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, CONTRACT_API_URL: baseUrl, CONTRACT_REGISTER_LIMIT: String(REGISTER_LIMIT), CONTRACT_LOGIN_LIMIT: String(LOGIN_LIMIT) },
      },
    );
    status = await exited(dredd);
  } catch (err) {
    console.error(`contract: ${(err as Error).message}`);
    status = 1;
  } finally {
    await stop(service);
    fs.closeSync(log);
    if (status !== 0) {
      // The identity provider's 503s are provoked on purpose; the rest may explain the failure.
      const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter((line) => line.trim() && !line.includes('"status":503'));
      if (lines.length > 0) console.error(`\n--- service log ---\n${lines.slice(-80).join('\n')}`);
    }
    if (serverUrl) {
      const admin = knexFactory({ client: 'pg', connection: serverUrl });
      try {
        await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      } finally {
        await admin.destroy();
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
  return status;
}

main().then(
  (status) => process.exit(status),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
