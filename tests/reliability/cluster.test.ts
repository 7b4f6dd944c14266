import { contractFetch } from '../helpers/contract';
import { bearer, jsonInit } from './helpers/api';
import { childDatabase, isPostgres, type ChildDatabase } from './helpers/database';
import { eventually, startService, type ServiceProcess } from './helpers/service';

// WEB_CONCURRENCY=2 (src/cluster.ts): one port served by two workers, a worker that dies is
// replaced while the other keeps answering, SIGTERM stops them all and exits 0. PostgreSQL only:
// the embedded database belongs to one process, and the service refuses to start otherwise.

jest.setTimeout(120_000);

const describeOnPostgres = isPostgres ? describe : describe.skip;

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

/** Pids of the workers that logged answering a request. */
const answeringPids = (s: ServiceProcess) =>
  new Set(s.logs.filter((l) => l.event === 'request' && typeof l.pid === 'number').map((l) => l.pid as number));

describeOnPostgres('the service with WEB_CONCURRENCY=2', () => {
  test('two workers share the port, a dead worker is replaced, SIGTERM stops every one', async () => {
    service = await startService({ env: { ...db.env, WEB_CONCURRENCY: '2', AUTH_PROVISION_USERS: 'true' } });
    await service.waitForLog((l) => l.event === 'cluster.listening', 60_000, 'cluster.listening');
    const auth = await bearer('cluster-user');

    // Both workers answer (concurrent requests open several connections, which the primary deals
    // out round-robin); each sees the same data.
    const created = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await contractFetch(`${service!.url}/tasks`, jsonInit('POST', auth, { title: `Task ${i}` }));
        expect(res.status).toBe(201);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const workers = answeringPids(service);
    expect(workers.size).toBe(2);
    expect(workers.has(service.pid)).toBe(false);

    // A worker killed outright is replaced; requests keep being answered meanwhile.
    const [victim] = workers;
    process.kill(victim, 'SIGKILL');
    await service.waitForLog((l) => l.event === 'cluster.worker_exit' && l.worker_pid === victim, 30_000, 'worker_exit');
    const replaced = await eventually(async () => {
      const res = await contractFetch(`${service!.url}/tasks/${created[0]}`, { headers: auth });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      return service!.logs.filter((l) => l.event === 'cluster.worker_listening').length >= 3;
    }, 30_000);
    expect(replaced).toBe(true);

    // SIGTERM: every worker finishes and exits, then the primary, with 0.
    service.signal('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    const workerPids = service.logs.filter((l) => l.event === 'cluster.worker_listening').map((l) => l.worker_pid as number);
    for (const pid of workerPids) expect(() => process.kill(pid, 0)).toThrow();
  });

  test('refuses RATE_LIMIT_STORE=memory, whose counts would be per worker', async () => {
    service = await startService({ env: { ...db.env, WEB_CONCURRENCY: '2', RATE_LIMIT_STORE: 'memory' }, waitListening: false });
    expect((await service.exited).code).toBe(1);
    expect(service.output()).toMatch(/RATE_LIMIT_STORE=memory counts per process/);
  });
});
