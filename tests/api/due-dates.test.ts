import fc from 'fast-check';
import type { Task } from '../../generated/types.gen';
import { EARLIEST_MS, LATEST_MS } from '../../src/services/date-time';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { dateTimeBetween, leapSecond, utcMs } from '../helpers/date-times';
import { engineName } from '../helpers/engine';
import { send } from '../helpers/http';
import { walkPages } from '../helpers/paging';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Every date-time the contract admits, at the edges of what PostgreSQL and a JSON date-time can
// carry, on this run's engine: a due date the service accepts is stored, given back as an RFC 3339
// date-time in UTC naming the same instant, and sorts and pages through working Link headers;
// one it cannot keep is a 422 naming the field. Every cursor is either one the service issued or
// a 422, never a 500.

let app: TestApp;
let token: string;
const DAY = 86_400_000;
const SORTS = ['due_date', '-due_date', 'created_at', '-created_at', 'updated_at', '-updated_at', 'priority', '-priority'];

beforeAll(async () => {
  app = await startTestApp();
  token = await app.createUser('due-date-user');
});
afterAll(() => app.stop());

const call = (method: string, path: string, body?: unknown) => send(app, method, path, { token, body });

/** Due dates near and past both ends of the storable range, and anywhere between. */
const dueDate = fc.oneof(
  dateTimeBetween(EARLIEST_MS - 2 * DAY, EARLIEST_MS + 2 * DAY),
  dateTimeBetween(LATEST_MS - 2 * DAY, LATEST_MS + 2 * DAY),
  dateTimeBetween(utcMs(0, 1, 2), utcMs(9999, 12, 30)),
  dateTimeBetween(utcMs(0, 1, 2), utcMs(200, 1, 1)),
  leapSecond(),
  fc.constantFrom(
    { text: '9999-12-31T23:59:59-23:59', ms: utcMs(10000, 1, 1, 23, 58, 59) },
    { text: '0000-01-01T00:00:00Z', ms: utcMs(0, 1, 1) },
    { text: '0001-01-01T00:00:00+00:01', ms: EARLIEST_MS - 60_000 },
    { text: '0001-01-01T00:00:00-00:01', ms: EARLIEST_MS + 60_000 },
    { text: '9999-12-31T23:59:59.999Z', ms: LATEST_MS },
  ),
);

const created: Task[] = [];

describe(`due dates at the edges of the calendar (${engineName})`, () => {
  test(
    'a create, a patch and a replace each store the instant given, or answer 422 naming /due_date when it cannot be kept',
    async () => {
      await fc.assert(
        fc.asyncProperty(dueDate, fc.constantFrom('POST', 'PATCH', 'PUT'), async ({ text, ms }, method) => {
          const storable = ms >= EARLIEST_MS && ms <= LATEST_MS;
          const body = { title: `due ${text}`, due_date: text };
          const target = method === 'POST' ? undefined : created[created.length - 1];
          if (method !== 'POST' && !target) return;
          const sent = await call(method, target ? `/tasks/${target.id}` : '/tasks', body);
          if (!storable) {
            expect({ text, status: sent.status, errors: sent.json?.errors }).toEqual({
              text,
              status: 422,
              errors: [expect.objectContaining({ location: 'body', field: '/due_date' })],
            });
            return;
          }
          expect({ text, status: sent.status }).toEqual({ text, status: method === 'POST' ? 201 : 200 });
          expect({ text, due_date: sent.json.due_date }).toEqual({ text, due_date: new Date(ms).toISOString() });
          const read = await call('GET', `/tasks/${sent.json.id}`);
          expect(read.json.due_date).toBe(new Date(ms).toISOString());
          if (method === 'POST') created.push(sent.json);
          else created[created.length - 1] = sent.json;
        }),
        params({ numRuns: Math.max(120, params().numRuns!) }),
      );
      expect(created.length).toBeGreaterThan(10);
    },
    propertyTimeout(),
  );

  test.each(['due_date', '-due_date'])('the Link headers of sort=%s page through every task once, in order', async (sort) => {
    const pages = await walkPages(app, `/tasks?sort=${sort}&limit=3`, token);
    const seen = pages.flatMap((p) => p.tasks);
    expect(seen).toHaveLength(new Set(seen.map((t) => t.id)).size);
    const dated = seen.filter((t) => t.due_date !== null).map((t) => Date.parse(t.due_date!));
    const sorted = [...dated].sort((a, b) => (sort.startsWith('-') ? b - a : a - b));
    expect(dated).toEqual(sorted);
  });
});

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Cursor payloads the service never issued: right shape, any position value. */
const forgedCursor = fc
  .record({
    sort: fc.constantFrom(...SORTS),
    k: fc.oneof(
      fc.constantFrom('1', 'May 5', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '+010000-01-01T23:58:59.000Z', '-000001-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', 'infinity', '-infinity', 'epoch', 'now', 'allballs', 'low', 'urgent', ''),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
    ),
    id: fc.oneof(fc.uuid(), fc.string()),
  })
  .map(({ sort, k, id }) => ({ sort, cursor: b64(JSON.stringify({ v: 1, s: sort, f: '||', k, id })) }));

describe(`forged cursors (${engineName})`, () => {
  test(
    'every cursor is one the service issued or a 422 on `cursor`, never a 500',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(forgedCursor, fc.record({ sort: fc.constantFrom(...SORTS), cursor: fc.string({ maxLength: 200 }) })), async ({ sort, cursor }) => {
          const sent = await call('GET', `/tasks?sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
          if (sent.status === 200) return; // a forged payload can still name a real position
          expect({ sort, cursor, status: sent.status, errors: sent.json?.errors }).toEqual({
            sort,
            cursor,
            status: 422,
            errors: [expect.objectContaining({ location: 'query', field: 'cursor' })],
          });
        }),
        params({ numRuns: Math.max(150, params().numRuns!) }),
      );
    },
    propertyTimeout(),
  );
});
