import { bearer } from './helpers/api';
import { childDatabase, engineName, type ChildDatabase } from './helpers/database';
import { connect, finalStatus, readResponse, type RawConnection } from '../helpers/raw-http';
import { fetchWithin, sleep, startService, within, type ServiceProcess } from './helpers/service';

// Slow clients against the real entry point (src/server.ts, whose listen() applies
// HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS and HTTP_KEEP_ALIVE_TIMEOUT_MS), set small here.
// A slowloris client (headers trickled a byte at a time) and a body that never finishes are cut
// off, while other clients are served normally all along; idle keep-alive connections are closed.
//
// "Cut off" is checked against a generous bound: four times the configured timeout plus 2 s, far
// above the timeout on a busy machine yet far below Node's default 30 s connectionsCheckingInterval
// (Node checks headersTimeout and requestTimeout only on that interval: a server that keeps the
// default enforces a 1.5 s timeout up to 30 s late).

jest.setTimeout(90_000);

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 3000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
const bound = (timeoutMs: number) => 4 * timeoutMs + 2000;

let db: ChildDatabase;
let service: ServiceProcess;
let auth: Record<string, string>;

beforeAll(async () => {
  db = childDatabase();
  service = await startService({
    env: {
      ...db.env,
      AUTH_PROVISION_USERS: 'true',
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    },
  });
  auth = await bearer('patient-user');
});
afterAll(async () => {
  await service?.kill();
  await db?.drop();
});

/** A well-behaved client making requests one after another until stopped; returns every status. */
function politeClient() {
  let running = true;
  const statuses: Array<number | string> = [];
  const done = (async () => {
    while (running) {
      try {
        const res = await fetchWithin(`${service.url}/tasks?limit=5`, { headers: auth }, 10_000);
        await res.arrayBuffer();
        statuses.push(res.status);
      } catch (err) {
        statuses.push((err as Error).name);
      }
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return statuses;
    },
  };
}

/** Writes `text` one byte every `everyMs` until the connection closes or the text runs out. */
async function trickle(conn: RawConnection, text: string, everyMs: number) {
  for (const char of text) {
    if (conn.isClosed()) return;
    await conn.write(char);
    await sleep(everyMs);
  }
}

describe(`slowloris (${engineName})`, () => {
  test(`clients trickling their headers a byte every 500 ms are cut off after HTTP_HEADERS_TIMEOUT_MS (${HEADERS_TIMEOUT_MS} ms) while others are served`, async () => {
    // Arrange
    const polite = politeClient();
    const head = `GET /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth.authorization}\r\nX-Padding: ${'p'.repeat(200)}\r\n\r\n`;
    const slow = await Promise.all(Array.from({ length: 20 }, () => connect(service.port)));

    // Act
    slow.forEach((conn) => void trickle(conn, head, 500));
    const closed = await Promise.all(slow.map((conn) => within(conn.closed.then(() => true), bound(HEADERS_TIMEOUT_MS), false)));
    slow.forEach((conn) => conn.destroy());
    const statuses = await polite.stop();

    // Assert: every slow client was cut off, none got an answer other than 408...
    expect(closed.filter((c) => !c)).toHaveLength(0);
    const answers = slow.map((conn) => finalStatus(conn.received().toString('latin1')));
    expect(answers.filter((s) => s !== undefined && s !== 408)).toEqual([]);
    // ...while the polite client was served every time.
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe(`bodies that never finish (${engineName})`, () => {
  test.each([
    ['stops after a few bytes', 'stall'],
    ['trickles a byte every 500 ms', 'trickle'],
  ] as const)(`a body that %s is cut off after HTTP_REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms) while others are served`, async (_name, kind) => {
    // Arrange
    const polite = politeClient();
    const body = JSON.stringify({ title: 'never finished', description: 'd'.repeat(500) });
    const conns = await Promise.all(Array.from({ length: 5 }, () => connect(service.port)));

    // Act
    for (const conn of conns) {
      await conn.write(`POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth.authorization}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 12)}`);
      if (kind === 'trickle') void trickle(conn, body.slice(12), 500);
    }
    const closed = await Promise.all(conns.map((conn) => within(conn.closed.then(() => true), bound(REQUEST_TIMEOUT_MS), false)));
    conns.forEach((conn) => conn.destroy());
    const statuses = await polite.stop();

    // Assert
    expect(closed.filter((c) => !c)).toHaveLength(0);
    const answers = conns.map((conn) => finalStatus(conn.received().toString('latin1')));
    expect(answers.filter((s) => s !== undefined && s !== 408)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe(`keep-alive (${engineName})`, () => {
  test(`an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS (${KEEP_ALIVE_TIMEOUT_MS} ms); a busy one stays open`, async () => {
    // Arrange
    const idle = await connect(service.port);
    const busy = await connect(service.port);
    const request = `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

    // Act: one request on the idle connection; on the busy one, a request every 300 ms for about 3 keep-alive timeouts.
    await idle.write(request);
    const first = await readResponse(idle);
    const idleClosed = within(idle.closed.then(() => true), bound(KEEP_ALIVE_TIMEOUT_MS), false);
    let served = 0;
    for (let i = 0; i < 10; i++) {
      const before = busy.received().length;
      await busy.write(request);
      await busy.waitFor((text) => text.length > before && /"status":"ok"\}$/.test(text.slice(before)), 10_000);
      served++;
      await sleep(300);
    }

    // Assert
    expect(first.status).toBe(200);
    expect(await idleClosed).toBe(true);
    expect(served).toBe(10);
    expect(busy.isClosed()).toBe(false);
    busy.destroy();
  });
});
