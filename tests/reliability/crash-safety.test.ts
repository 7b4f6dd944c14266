import { contractFetch } from '../helpers/contract';
import { bearer, FULL, jsonInit, listAll, rowProblems, type Task } from './helpers/api';
import { childDatabase, engineName, type ChildDatabase } from './helpers/database';
import { connect, finalStatus, isRefused, parseResponse, type RawConnection } from '../helpers/raw-http';
import { eventually, startService, within, type ServiceProcess } from './helpers/service';

// Crash safety of the real entry point (src/server.ts as a child process) on the engine of this
// run. SIGKILL under concurrent create/update load: after a restart on the same data, every task
// whose create was answered 201 is there, equal to the last answer the client got for it (or to
// the one write that was still in flight when the process died), nothing else appeared, and
// every row is whole. SIGTERM: in-flight requests finish, new connections are refused, exit 0.

jest.setTimeout(FULL ? 240_000 : 90_000);

const USERS = Array.from({ length: 8 }, (_, i) => `crash-user-${i}`);
const WORKERS = FULL ? 48 : 24;
/** Answers received before the kill: the process dies with about WORKERS requests in flight. */
const KILL_AFTER = FULL ? 2000 : 300;
const STATUSES = ['pending', 'in_progress', 'completed'] as const;
const PRIORITIES = ['low', 'medium', 'high'] as const;

let db: ChildDatabase;
let service: ServiceProcess | undefined;

const env = () => ({ ...db.env, AUTH_PROVISION_USERS: 'true', SHUTDOWN_TIMEOUT_MS: '20000' });

beforeEach(() => {
  db = childDatabase();
});
afterEach(async () => {
  await service?.kill();
  service = undefined;
  await db.drop();
});

interface Write {
  title: string;
  status: (typeof STATUSES)[number];
}

/** What the client knows about one task: the last answer it got, and a write still unanswered. */
interface Known {
  userId: string;
  acknowledged: Task;
  pending?: Write;
}

describe(`SIGKILL under concurrent create/update load (${engineName})`, () => {
  test('after a restart every acknowledged task is present and whole, and nothing unacknowledged appeared', async () => {
    // Arrange
    service = await startService({ env: env() });
    const url = service.url;
    const headers = Object.fromEntries(await Promise.all(USERS.map(async (u) => [u, await bearer(u)] as const)));
    const known = new Map<string, Known>();
    /** Creates sent whose 201 never arrived, by title: they may or may not have committed. */
    const unansweredCreates = new Map<string, string>();
    const unexpected: string[] = [];
    let answered = 0;
    let killed = false;
    const victim = service;

    const answer = () => {
      answered++;
      if (answered >= KILL_AFTER && !killed) {
        killed = true;
        victim.signal('SIGKILL');
      }
    };

    async function worker(w: number) {
      const userId = USERS[w % USERS.length];
      for (let n = 0; !killed; n++) {
        const title = `w${w}-task${n}`;
        unansweredCreates.set(title, userId);
        const created = await fetch(`${url}/tasks`, jsonInit('POST', headers[userId], { title, priority: PRIORITIES[n % 3], description: `by worker ${w}` })).catch(() => undefined);
        if (!created) return; // the process died under this request
        if (created.status !== 201) {
          unexpected.push(`POST /tasks → ${created.status} ${await created.text()}`);
          return;
        }
        const task = (await created.json().catch(() => undefined)) as Task | undefined;
        if (!task) return; // the process died between the status line and the body: still unanswered
        unansweredCreates.delete(title);
        known.set(task.id, { userId, acknowledged: task });
        answer();
        for (let k = 0; k < 3 && !killed; k++) {
          const write: Write = { title: `${title}-v${k + 2}`, status: STATUSES[(n + k + 1) % 3] };
          const entry = known.get(task.id)!;
          entry.pending = write;
          const patched = await fetch(`${url}/tasks/${task.id}`, jsonInit('PATCH', headers[userId], write)).catch(() => undefined);
          if (!patched) return;
          if (patched.status !== 200) {
            unexpected.push(`PATCH /tasks/${task.id} → ${patched.status} ${await patched.text()}`);
            return;
          }
          const updated = (await patched.json().catch(() => undefined)) as Task | undefined;
          if (!updated) return;
          entry.acknowledged = updated;
          entry.pending = undefined;
          answer();
        }
      }
    }

    // Act
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const death = await victim.exited;
    service = await startService({ env: env() });

    // Assert: the load itself went well until the kill, and the kill was a kill.
    expect(unexpected).toEqual([]);
    expect(death.signal).toBe('SIGKILL');
    expect(known.size).toBeGreaterThan(0);
    const inFlightAtKill = unansweredCreates.size + [...known.values()].filter((k) => k.pending).length;
    expect(inFlightAtKill).toBeGreaterThan(0); // the kill did land on writes in progress

    const listed = new Map<string, Task>();
    for (const userId of USERS) {
      for (const task of await listAll(service.url, headers[userId])) {
        expect(task.user_id).toBe(userId);
        listed.set(task.id, task);
      }
    }

    const lost: string[] = [];
    const wrong: string[] = [];
    for (const [id, { acknowledged, pending }] of known) {
      const now = listed.get(id);
      if (!now) {
        lost.push(`${id} (${acknowledged.title}, acknowledged at version ${acknowledged.version})`);
        continue;
      }
      const asAcknowledged = JSON.stringify(now) === JSON.stringify(acknowledged);
      const asPending =
        pending !== undefined &&
        now.version === acknowledged.version + 1 &&
        now.title === pending.title &&
        now.status === pending.status &&
        now.created_at === acknowledged.created_at &&
        now.description === acknowledged.description;
      if (!asAcknowledged && !asPending) {
        wrong.push(`${id}: acknowledged ${JSON.stringify(acknowledged)}, in flight ${JSON.stringify(pending)}, found ${JSON.stringify(now)}`);
      }
    }
    expect(lost).toEqual([]);
    expect(wrong).toEqual([]);

    const phantoms = [...listed.values()].filter(
      (t) => !known.has(t.id) && !(unansweredCreates.get(t.title) === t.user_id && t.version === 1),
    );
    expect(phantoms).toEqual([]);

    // And in the table itself (PGlite: only once the service has let go of the data directory).
    service.signal('SIGTERM');
    expect((await service.exited).code).toBe(0);
    const rows = await db.inspect((knex) => knex('tasks').whereIn('user_id', USERS).select('*'));
    expect(rows.flatMap(rowProblems)).toEqual([]);
    expect(rows.map((r) => r.id).sort()).toEqual([...listed.keys()].sort());
  });
});

describe(`SIGTERM (${engineName})`, () => {
  /** Sends the head of a request with Expect: 100-continue; resolves once the server took it in. */
  async function startRequest(port: number, method: string, path: string, headers: Record<string, string>, body: string) {
    const conn = await connect(port);
    const head = [
      `${method} ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Authorization: ${headers.authorization}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Expect: 100-continue',
      '',
      '',
    ].join('\r\n');
    await conn.write(head);
    // Node answers 100 Continue once it has parsed the head: the request is now in flight.
    await conn.waitFor(/^HTTP\/1\.1 100 /);
    return { conn, body };
  }

  async function finish({ conn, body }: { conn: RawConnection; body: string }) {
    await conn.write(body);
    const text = await conn.waitFor(/HTTP\/1\.1 [2-5]\d\d [\s\S]*\r\n\r\n[\s\S]*\}/);
    return parseResponse(text);
  }

  test('in-flight requests finish, new connections are refused, idle ones closed, and the process exits 0', async () => {
    // Arrange
    service = await startService({ env: env() });
    const headers = await bearer('terminated');
    const existing = (await (await contractFetch(`${service.url}/tasks`, jsonInit('POST', headers, { title: 'before' }))).json()) as Task;
    const inFlight = [
      await startRequest(service.port, 'POST', '/tasks', headers, JSON.stringify({ title: 'in flight 1' })),
      await startRequest(service.port, 'POST', '/api/tasks', headers, JSON.stringify({ title: 'in flight 2', priority: 'high' })),
      await startRequest(service.port, 'PATCH', `/tasks/${existing.id}`, headers, JSON.stringify({ status: 'completed' })),
    ];
    const idle = await connect(service.port);
    await idle.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
    await idle.waitFor(/"status":"ok"/);

    // Act
    service.signal('SIGTERM');
    await service.waitForLog((l) => l.event === 'shutdown', 15_000, 'the shutdown log line');
    // The log line comes just before server.close(): allow the few instructions in between.
    const port = service.port;
    const refused = await eventually(() => isRefused(port), 10_000);
    const idleClosed = await within(idle.closed.then(() => true), 10_000, false);
    const answers = await Promise.all(inFlight.map(finish));
    const exit = await service.exited;

    // Assert
    expect(refused).toBe(true);
    expect(idleClosed).toBe(true);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 200]);
    expect(answers.map((a) => JSON.parse(a.body).title)).toEqual(['in flight 1', 'in flight 2', 'before']);
    expect(JSON.parse(answers[2].body)).toMatchObject({ status: 'completed', version: 2 });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(service.logs.some((l) => l.event === 'shutdown.done')).toBe(true);

    // What they wrote is there after a restart.
    service = await startService({ env: env() });
    const after = await listAll(service.url, headers);
    expect(after.map((t) => t.title).sort()).toEqual(['before', 'in flight 1', 'in flight 2']);
    expect(after.find((t) => t.id === existing.id)).toMatchObject({ status: 'completed', completed: true, version: 2 });
  });

  test('a request that never finishes does not hold the shutdown beyond SHUTDOWN_TIMEOUT_MS', async () => {
    // Arrange
    service = await startService({ env: { ...env(), SHUTDOWN_TIMEOUT_MS: '1500', HTTP_REQUEST_TIMEOUT_MS: '600000' } });
    const stuck = await startRequest(service.port, 'POST', '/tasks', await bearer('stuck'), JSON.stringify({ title: 'never sent' }));

    // Act
    service.signal('SIGTERM');
    const exit = await within(service.exited, 30_000, undefined);

    // Assert: it exited on its own (a code, not a signal) and said why.
    expect(exit).toBeDefined();
    expect(exit!.signal).toBeNull();
    expect(service.logs.some((l) => l.event === 'shutdown.timeout')).toBe(true);
    expect(finalStatus(stuck.conn.received().toString('latin1'))).toBeUndefined();
  });
});
