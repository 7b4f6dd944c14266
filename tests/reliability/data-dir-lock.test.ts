import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contractFetch } from '../helpers/contract';
import { bearer, jsonInit } from './helpers/api';
import { startService, type ServiceProcess } from './helpers/service';

// The embedded database belongs to one process. A second service (or `npm run migrate`) on the same
// DATA_DIR is refused at start with one line naming the process that has it, while the first keeps
// serving; a lock left by a killed service does not stop the next start, which finds every
// acknowledged write. Always on PGlite, whatever the run's engine: that is where the lock lives.

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
let dataDir: string;
const services: ServiceProcess[] = [];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-api-lock-'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.kill()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const start = async (waitListening = true) => {
  const service = await startService({ env: { DATA_DIR: dataDir, AUTH_PROVISION_USERS: 'true' }, waitListening, timeoutMs: 120_000 });
  services.push(service);
  return service;
};

test('a second service on the same DATA_DIR refuses to start, naming the first, which keeps serving', async () => {
  const first = await start();

  const second = await start(false);
  const exit = await second.exited;

  expect(exit.code).toBe(1);
  const output = second.output();
  expect(output).toContain(`DATA_DIR ${dataDir} is in use by process ${first.pid}`);
  expect(output).not.toMatch(/\n\s+at /); // one clear line, no stack trace
  expect((await contractFetch(`${first.url}/health`)).status).toBe(200);
});

test('npm run migrate on a DATA_DIR a service holds is refused the same way', () => {
  return start().then((first) => {
    const migrate = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', TEST_DATABASE_URL: '', DATA_DIR: dataDir, DOTENV_CONFIG_PATH: '/nonexistent' },
      encoding: 'utf8',
    });
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toContain(`in use by process ${first.pid}`);
  });
});

test('after a SIGKILL the stale lock does not stop the next start, and every acknowledged write is there', async () => {
  const first = await start();
  const auth = await bearer('lock-user');
  const created = await contractFetch(`${first.url}/tasks`, jsonInit('POST', auth, { title: 'acknowledged' }));
  expect(created.status).toBe(201);
  const task = (await created.json()) as { id: string };
  await first.kill();
  expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(true);

  const next = await start();

  const read = await contractFetch(`${next.url}/tasks/${task.id}`, { headers: auth });
  expect(read.status).toBe(200);
});
