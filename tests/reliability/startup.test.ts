import crypto from 'node:crypto';
import { childDatabase, isPostgres, serverAddress, type ChildDatabase } from './helpers/database';
import { startService, type ServiceProcess } from './helpers/service';

// Start-up against a database that can never work fails fast: one clear line naming what to fix,
// exit 1, no retries and no stack trace. (Waiting for a database that is only down, with /health
// answering meanwhile, is in db-outage.test.ts.)

jest.setTimeout(60_000);

let db: ChildDatabase;
let service: ServiceProcess | undefined;
beforeEach(() => {
  db = childDatabase();
});
afterEach(async () => {
  await service?.kill();
  service = undefined;
  await db.drop();
});

const STACK = /\n\s+at /;

async function expectOneClearLine(env: Record<string, string>, says: RegExp) {
  const started = Date.now();
  service = await startService({ env, waitListening: false });
  const exit = await service.exited;
  const output = service.output();
  expect({ code: exit.code, tookLessThan10s: Date.now() - started < 10_000 }).toEqual({ code: 1, tookLessThan10s: true });
  const failures = service.logs.filter((l) => Number(l.level) >= 50);
  const lines = failures.length > 0 ? failures.map((l) => String(l.msg)) : output.split('\n').filter((l) => /error/i.test(l));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  expect(output).not.toMatch(STACK);
  expect(service.logs.filter((l) => l.event === 'db.unavailable')).toEqual([]);
}

test('a DATABASE_URL that is not a connection string is a configuration error', async () => {
  await expectOneClearLine({ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a connection string/);
});

const onPostgres = isPostgres ? describe : describe.skip;
onPostgres('against a PostgreSQL server that answers, but never with this database', () => {
  const url = (user: string, database: string, query = '') => {
    const { host, port } = serverAddress();
    return `postgres://${user}@${host}:${port}/${database}${query}`;
  };
  const missing = `missing_${crypto.randomBytes(4).toString('hex')}`;

  test.each([
    ['a database that does not exist', () => url('postgres', missing), /database does not exist.*Check DATABASE_URL/],
    ['a role that does not exist', () => url(missing, 'postgres'), /role may not connect.*Check DATABASE_URL/],
    ['TLS required of a server without it', () => url('postgres', 'postgres', '?sslmode=require'), /does not speak TLS.*Check DATABASE_URL/],
  ])('%s: exit 1 at once, with one line saying what to fix', async (_, databaseUrl, says) => {
    await expectOneClearLine({ DATABASE_URL: databaseUrl() }, says);
  });
});
