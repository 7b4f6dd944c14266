import crypto from 'node:crypto';
import { connect, readResponse, type RawConnection } from '../helpers/raw-http';
import { bearer } from './helpers/api';
import { childDatabase, engineName, isPostgres, type ChildDatabase } from './helpers/database';
import { startService, type ServiceProcess } from './helpers/service';

// SIGTERM while clients keep sending on their keep-alive connections, as busy API clients and
// load balancers do: the requests in flight finish, every later answer says `Connection: close`
// (or the connection is closed between two requests), and the process exits 0 well within its
// shutdown timeout — in one process and with WEB_CONCURRENCY=2. A request the server closed a
// connection on, unanswered, was never carried out.

jest.setTimeout(120_000);

const CONNECTIONS = 12;
const SHUTDOWN_TIMEOUT_MS = 8000;
/** "Well within" the timeout: the busiest connection needs one more answer to learn it must go. */
const EXIT_WITHIN_MS = 3000;

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

interface Outcome {
  answered: { status: number; close: boolean; afterSignal: boolean }[];
  /** Creates sent but never answered: the connection closed before any byte of an answer. */
  unanswered: string[];
  /** How the loop ended. */
  end: 'connection: close' | 'closed between requests' | 'refused';
}

/** Sends requests back to back on one connection (a list, then a create, …) until told to go. */
async function busyClient(port: number, auth: string, signalled: () => boolean): Promise<Outcome> {
  const outcome: Outcome = { answered: [], unanswered: [], end: 'refused' };
  let conn: RawConnection;
  try {
    conn = await connect(port);
  } catch {
    return outcome;
  }
  for (let i = 0; ; i++) {
    const title = `busy ${crypto.randomUUID()}`;
    const body = JSON.stringify({ title });
    const request =
      i % 2 === 0
        ? `GET /tasks?limit=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\n\r\n`
        : `POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const sentAfterSignal = signalled();
    const before = conn.received().length;
    await conn.write(request);
    try {
      const answer = await readResponse(conn, 10_000, before);
      const close = /close/i.test(answer.headers.connection ?? '');
      outcome.answered.push({ status: answer.status, close, afterSignal: sentAfterSignal });
      if (close) {
        outcome.end = 'connection: close';
        await conn.closed;
        return outcome;
      }
    } catch (err) {
      if (!conn.isClosed() || conn.received().length > before) throw err;
      if (i % 2 === 1) outcome.unanswered.push(title);
      outcome.end = 'closed between requests';
      return outcome;
    }
  }
}

const modes: { name: string; env: Record<string, string>; available: boolean }[] = [
  { name: 'one process', env: {}, available: true },
  { name: 'WEB_CONCURRENCY=2', env: { WEB_CONCURRENCY: '2' }, available: isPostgres },
];

for (const mode of modes) {
  const title = mode.available
    ? `SIGTERM under keep-alive traffic, ${mode.name} (${engineName})`
    : `SIGTERM under keep-alive traffic, ${mode.name} — skipped: several workers need PostgreSQL (set TEST_DATABASE_URL to run it)`;

  (mode.available ? describe : describe.skip)(title, () => {
    test('requests in flight finish, later ones are told Connection: close, and the process exits 0 at once', async () => {
      service = await startService({ env: { ...db.env, ...mode.env, AUTH_PROVISION_USERS: 'true', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
      if (mode.env.WEB_CONCURRENCY) await service.waitForLog((l) => l.event === 'cluster.listening', 60_000, 'cluster.listening');
      const auth = (await bearer('busy-client')).authorization;
      let signalledAt = 0;
      const clients = Array.from({ length: CONNECTIONS }, () => busyClient(service!.port, auth, () => signalledAt > 0));

      // Let the traffic run, then stop the service in the middle of it.
      await service.waitForLog((l) => l.event === 'request' && service!.logs.filter((x) => x.event === 'request').length > 200, 60_000, '200 answered requests');
      signalledAt = Date.now();
      service.signal('SIGTERM');
      const exit = await service.exited;
      const tookMs = Date.now() - signalledAt;
      const outcomes = await Promise.all(clients);

      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(EXIT_WITHIN_MS);
      expect(outcomes.flatMap((o) => o.answered).filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
      // Every connection kept busy was told to go with an answer (none was cut between two requests).
      expect(outcomes.map((o) => o.end)).toEqual(outcomes.map(() => 'connection: close'));
      // Nothing was carried out behind a client's back: no unanswered create is stored.
      const unanswered = outcomes.flatMap((o) => o.unanswered);
      const stored = await db.inspect((knex) => knex('tasks').whereIn('title', unanswered).pluck('title'));
      expect(stored).toEqual([]);
    });
  });
}
