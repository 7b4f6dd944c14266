import type { Knex } from 'knex';
import { contractFetch } from '../helpers/contract';
import { bearer, FULL, jsonInit, type Task } from './helpers/api';
import { childDatabase, isPostgres, serverAddress, type ChildDatabase } from './helpers/database';
import { eventually, startService, type ServiceProcess } from './helpers/service';
import { TcpProxy } from './helpers/tcp-proxy';

// Many more concurrent requests than pool connections, on the real entry point with
// DB_POOL_MAX=2: each request completes (2xx) or gives up with 503 + Retry-After after
// DB_ACQUIRE_TIMEOUT_MS, never a 500, a hang or a crash; the service never holds more than two
// connections; afterwards its connections are idle again (pg_stat_activity) and it serves.
//
// The service reaches PostgreSQL through a TCP proxy in this process, which tells exactly which
// server backends are the service's (pg_stat_activity.client_port = the proxy's upstream ports),
// whatever else runs on the same server. PostgreSQL engine only: PGlite has one connection, no pool.

jest.setTimeout(90_000);

const BURST = FULL ? 400 : 100;
const POOL = { DB_POOL_MAX: '2', DB_ACQUIRE_TIMEOUT_MS: '1500', DB_STATEMENT_TIMEOUT_MS: '3000', DB_CONNECT_TIMEOUT_MS: '2000' };
const USERS = Array.from({ length: 10 }, (_, i) => `pool-user-${i}`);

const describeOnPostgres = isPostgres ? describe : describe.skip;

let db: ChildDatabase;
let proxy: TcpProxy;
let service: ServiceProcess;
let headers: Record<string, Record<string, string>>;
const seed = new Map<string, Task>();

if (isPostgres) {
  beforeAll(async () => {
    db = childDatabase();
    proxy = await TcpProxy.create(serverAddress().host, serverAddress().port);
    service = await startService({ env: { ...db.envVia(proxy.port), ...POOL } });
    await db.inspect((knex) => knex('users').insert(USERS.map((id) => ({ id }))));
    headers = Object.fromEntries(await Promise.all(USERS.map(async (u) => [u, await bearer(u)] as const)));
    for (const userId of USERS) {
      const res = await contractFetch(`${service.url}/tasks`, jsonInit('POST', headers[userId], { title: `seed of ${userId}` }));
      seed.set(userId, (await res.json()) as Task);
    }
  });
  afterAll(async () => {
    await service?.kill();
    await proxy?.close();
    await db?.drop();
  });
}

interface Sent {
  what: string;
  status?: number;
  retryAfter?: string | null;
  error?: string;
}

/** The i-th request of a burst: a mix of creates, lists, reads and patches from ten users. */
async function mixed(i: number, url: string): Promise<Sent> {
  const userId = USERS[i % USERS.length];
  const mine = seed.get(userId)!;
  const kinds = [
    ['POST /tasks', () => contractFetch(`${url}/tasks`, { ...jsonInit('POST', headers[userId], { title: `burst ${i}` }), signal: AbortSignal.timeout(30_000) })],
    ['GET /tasks', () => contractFetch(`${url}/tasks?limit=20`, { headers: headers[userId], signal: AbortSignal.timeout(30_000) })],
    ['GET /tasks/{id}', () => contractFetch(`${url}/tasks/${mine.id}`, { headers: headers[userId], signal: AbortSignal.timeout(30_000) })],
    ['PATCH /tasks/{id}', () => contractFetch(`${url}/tasks/${mine.id}`, { ...jsonInit('PATCH', headers[userId], { description: `patch ${i}` }), signal: AbortSignal.timeout(30_000) })],
  ] as const;
  const [what, send] = kinds[i % kinds.length];
  try {
    const res = await send();
    await res.arrayBuffer();
    return { what, status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    return { what, error: (err as Error).name === 'TimeoutError' ? 'hung' : (err as Error).message };
  }
}

/** The service's own backends, by the proxy's upstream ports. */
async function serviceBackends(admin: Knex): Promise<Array<{ state: string | null; application_name: string }>> {
  const ports = proxy.upstreamPorts();
  if (ports.length === 0) return [];
  const { rows } = await admin.raw(
    `select state, application_name from pg_stat_activity where client_addr is not null and client_port = any(?::int[])`,
    [ports],
  );
  return rows;
}

function unacceptable(sent: Sent[]): Sent[] {
  return sent.filter((s) => s.error || !(s.status! < 300 || (s.status === 503 && /^\d+$/.test(s.retryAfter ?? ''))));
}

async function expectPoolBackToIdle() {
  await db.inspect(async (admin) => {
    let last: unknown;
    const idle = await eventually(async () => {
      const backends = await serviceBackends(admin);
      last = backends;
      return backends.every((b) => b.state === 'idle');
    }, 15_000);
    expect({ idle, backends: last }).toEqual({ idle: true, backends: expect.any(Array) });
    const backends = await serviceBackends(admin);
    // Idle connections stay pooled for 30 s: there is something to look at, and no more than the pool.
    expect(backends.length).toBeGreaterThan(0);
    expect(backends.length).toBeLessThanOrEqual(2);
    expect(backends.every((b) => b.application_name === 'task-api')).toBe(true);
  });
}

describeOnPostgres('pool exhaustion with DB_POOL_MAX=2 (PostgreSQL engine only)', () => {
  test(`a burst of ${BURST} concurrent requests: each completes or answers 503 with Retry-After, and the pool never grows past 2`, async () => {
    // Arrange
    proxy.resetPeak();

    // Act
    const sent = await Promise.all(Array.from({ length: BURST }, (_, i) => mixed(i, service.url)));

    // Assert
    expect(unacceptable(sent)).toEqual([]);
    expect(sent.filter((s) => s.status! < 300).length).toBeGreaterThan(0);
    expect(proxy.peak).toBeLessThanOrEqual(2);
    expect(service.exit).toBeUndefined();
    await expectPoolBackToIdle();
    const after = await contractFetch(`${service.url}/tasks`, { headers: headers[USERS[0]] });
    expect(after.status).toBe(200);
  });

  test('with both connections stuck behind a row lock, the queue times out as 503, then the pool recovers', async () => {
    // Arrange: another client holds user 0's seed task locked, so PATCHes of it wait inside the
    // database while holding the service's two connections.
    const victim = seed.get(USERS[0])!;
    const before = (await (await contractFetch(`${service.url}/tasks/${victim.id}`, { headers: headers[USERS[0]] })).json()) as Task;
    proxy.resetPeak();

    const sent: Sent[] = await db.inspect(async (admin) => {
      const trx = await admin.transaction();
      try {
        await trx('tasks').where({ user_id: USERS[0], id: victim.id }).forUpdate().first();
        const blocked: Array<Promise<Sent>> = Array.from({ length: 2 }, (_, i) =>
          contractFetch(`${service.url}/tasks/${victim.id}`, { ...jsonInit('PATCH', headers[USERS[0]], { title: `blocked ${i}` }), signal: AbortSignal.timeout(30_000) })
            .then(async (res) => {
              await res.arrayBuffer();
              return { what: 'PATCH locked', status: res.status, retryAfter: res.headers.get('retry-after') };
            })
            .catch((err: Error) => ({ what: 'PATCH locked', error: err.name === 'TimeoutError' ? 'hung' : err.message })),
        );
        // Act: the burst arrives while both connections wait on the lock.
        const burst = await Promise.all(Array.from({ length: BURST }, (_, i) => mixed(i + 1, service.url)));
        return [...burst, ...(await Promise.all(blocked))];
      } finally {
        await trx.rollback();
      }
    });

    // Assert
    expect(unacceptable(sent)).toEqual([]);
    expect(sent.filter((s) => s.status === 503).length).toBeGreaterThan(0);
    expect(proxy.peak).toBeLessThanOrEqual(2);
    expect(service.exit).toBeUndefined();
    await expectPoolBackToIdle();
    // The lock is gone: the task can be written again, and no blocked write half-happened.
    const now = (await (await contractFetch(`${service.url}/tasks/${victim.id}`, { headers: headers[USERS[0]] })).json()) as Task;
    const blockedWins = sent.filter((s) => s.what === 'PATCH locked' && s.status === 200).length;
    expect(now.version).toBeGreaterThanOrEqual(before.version + blockedWins);
    const patched = await contractFetch(`${service.url}/tasks/${victim.id}`, jsonInit('PATCH', headers[USERS[0]], { title: 'after the lock' }));
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Task).version).toBe(now.version + 1);
  });
});
