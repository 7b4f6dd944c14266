import { contractFetch } from '../helpers/contract';
import { bearer, FULL, jsonInit } from './helpers/api';
import { childDatabase, isPostgres, serverAddress, type ChildDatabase } from './helpers/database';
import { eventually, fetchWithin, startService, untilListening, type ServiceProcess } from './helpers/service';
import { TcpProxy } from './helpers/tcp-proxy';
import { startTraffic, summary, type Outcome } from './helpers/traffic';

// Database outages, on the real entry point (src/server.ts as a child process), with a TCP proxy
// in this process between the service and PostgreSQL that the test cuts and restores. Requests
// fail fast with 503 problem+json and Retry-After (bounded by the configured timeouts: each
// request here gives up after a generous 15 s, far above them), /ready says 503, /health 200,
// the process stays up, and once the database is back everything works again without a restart.
//
// PostgreSQL engine only: PGlite runs inside the service's process and has no connection to cut.

const TIMEOUTS = { DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '1500', DB_ACQUIRE_TIMEOUT_MS: '2000' };
const USERS = ['outage-a', 'outage-b', 'outage-c'];
const CYCLES = FULL ? 3 : 1;

const describeOnPostgres = isPostgres ? describe : describe.skip;

jest.setTimeout(FULL ? 180_000 : 60_000);

let db: ChildDatabase;
let proxy: TcpProxy;
let service: ServiceProcess | undefined;

if (isPostgres) {
  beforeEach(async () => {
    db = childDatabase();
    proxy = await TcpProxy.create(serverAddress().host, serverAddress().port, false);
  });
  afterEach(async () => {
    await service?.kill();
    service = undefined;
    await proxy.close();
    await db.drop();
  });
}

/** During an outage: only 503s with Retry-After (or answers whose database work finished before it). */
function outageProblems(outcomes: Outcome[]): string[] {
  return outcomes
    .filter((o) => o.phase.startsWith('outage'))
    .flatMap((o) => {
      if (o.error) return [`${o.op}: ${o.error}`];
      if (o.status === 503) {
        if (!/^\d+$/.test(o.retryAfter ?? '')) return [`${o.op}: 503 without Retry-After`];
        if (!o.contentType?.startsWith('application/problem+json')) return [`${o.op}: 503 as ${o.contentType}`];
        return [];
      }
      return o.status! < 300 ? [] : [`${o.op}: ${o.status}`];
    });
}

async function expectDegradedButAlive(url: string) {
  const ready = await contractFetch(`${url}/ready`, { signal: AbortSignal.timeout(15_000) });
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
  expect((await ready.json()).status).toBe(503);
  const health = await contractFetch(`${url}/health`, { signal: AbortSignal.timeout(15_000) });
  expect(health.status).toBe(200);
}

describeOnPostgres('a database outage while serving (PostgreSQL engine only)', () => {
  test.each([
    ['the connection is cut (sockets destroyed, new connections refused)', 'cut'],
    ['a partition holds every packet (connections accepted, nothing answers)', 'stall'],
  ] as const)('%s: 503 + Retry-After fast, /ready 503, /health 200, and recovery without a restart', async (_name, kind) => {
    // Arrange: the service through the proxy, under steady traffic from three users.
    await proxy.up();
    service = await startService({ env: { ...db.envVia(proxy.port), ...TIMEOUTS, AUTH_PROVISION_USERS: 'true' } });
    const traffic = await startTraffic(service.url, USERS, 6);
    await traffic.until(30, [200, 201]);

    // Act: the outage, mid-traffic, and the database coming back (three times in RELIABILITY_FULL mode).
    let aliveDuringOutage = true;
    let recovered = true;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      traffic.phase = `outage ${cycle + 1}`;
      if (kind === 'cut') await proxy.cut();
      else proxy.stall();
      await traffic.until(10, [503]);
      await expectDegradedButAlive(service.url);
      aliveDuringOutage &&= service.exit === undefined;

      if (kind === 'cut') await proxy.up();
      else proxy.heal();
      traffic.phase = `recovering ${cycle + 1}`;
      const probe = await bearer(USERS[0]);
      recovered &&= await eventually(async () => (await fetchWithin(`${service!.url}/tasks`, { headers: probe })).status === 200, 30_000);
      traffic.phase = `after ${cycle + 1}`;
      await traffic.until(30, [200, 201]);
    }
    const outcomes = await traffic.stop();

    // Assert
    const context = JSON.stringify(summary(outcomes));
    expect(aliveDuringOutage).toBe(true);
    expect(recovered).toBe(true);
    // A 500 is logged with its cause: show the causes next to the failure.
    const errors = service.logs.filter((l) => l.event === 'error' && l.status === 500).map((l) => String((l.err as { message?: string })?.message));
    expect({ problems: outageProblems(outcomes), errors: outageProblems(outcomes).length ? errors : [] }).toEqual({ problems: [], errors: [] });
    expect(outcomes.filter((o) => o.error === 'hung')).toEqual([]);
    // Nothing but 2xx and 503 at any time, and never a wrong answer (another user's or another id's row).
    expect({ context, bad: outcomes.filter((o) => o.error || (o.status! >= 300 && o.status !== 503)) }).toEqual({ context, bad: [] });
    expect(outcomes.filter((o) => o.wrong)).toEqual([]);
    // Once recovered, every request succeeds (those sent and answered before any later outage).
    const afterRecovery = outcomes.filter((o) => o.phase.startsWith('after') && o.answeredIn === o.phase);
    expect({ context, after: afterRecovery.filter((o) => !(o.status! < 300)) }).toEqual({ context, after: [] });
    expect((await contractFetch(`${service.url}/ready`)).status).toBe(200);
    // Tasks acknowledged before the outage are all still there.
    for (const [userId, tasks] of traffic.created) {
      for (const task of tasks.slice(0, 5)) {
        const res = await contractFetch(`${service.url}/tasks/${task.id}`, { headers: await bearer(userId) });
        expect(res.status).toBe(200);
      }
    }
    expect(service.exit).toBeUndefined();
  });
});

describeOnPostgres('start-up while the database is down (PostgreSQL engine only)', () => {
  test('the service answers /health at once, retries with backoff (one line each), and serves once the database is up', async () => {
    // Arrange: nothing listens at the proxy's port yet.
    service = await startService({ env: { ...db.envVia(proxy.port), ...TIMEOUTS }, waitListening: false });

    // Act
    const started = await service.waitForLog((l) => l.event === 'started', 30_000, 'the started line');
    await service.waitForLog((l) => l.event === 'db.unavailable' && Number(l.attempt) >= 3, 30_000, 'a third db.unavailable attempt');
    const stillUp = service.exit === undefined;
    const waiting = String(started.url).replace('localhost', '127.0.0.1');
    const health = await contractFetch(`${waiting}/health`);
    const ready = await contractFetch(`${waiting}/ready`);
    const tasks = await contractFetch(`${waiting}/tasks`, { headers: await bearer('early-user') });
    await proxy.up();
    await untilListening(service);

    // Assert: while it waited, /health said the process is up, everything else 503 with Retry-After.
    expect(stillUp).toBe(true);
    expect(health.status).toBe(200);
    for (const res of [ready, tasks]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // One line per attempt: no stack traces, and not knex's own line for each failed connection.
    expect(service.output()).not.toMatch(/\n\s+at /);
    expect(service.logs.filter((l) => l.event === 'knex' && Number(l.level) >= 40)).toEqual([]);
    const attempts = service.logs.filter((l) => l.event === 'db.unavailable');
    expect(attempts.map((l) => l.attempt)).toEqual(attempts.map((_, i) => i + 1));
    const delays = attempts.map((l) => Number(l.retry_in_ms));
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1])).toBe(true);
    expect(delays[delays.length - 1]).toBeGreaterThan(delays[0]); // it backs off
    expect(service.logs.some((l) => l.event === 'db.connected')).toBe(true);
    expect((await contractFetch(`${service.url}/ready`)).status).toBe(200);
    const headers = await bearer('late-user');
    await db.inspect((knex) => knex('users').insert({ id: 'late-user' }));
    const created = await contractFetch(`${service.url}/tasks`, jsonInit('POST', headers, { title: 'after a late start' }));
    expect(created.status).toBe(201);
  });
});
