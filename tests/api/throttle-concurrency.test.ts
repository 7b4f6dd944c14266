import crypto from 'node:crypto';
import fc from 'fast-check';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { serverUrl } from '../helpers/engine';
import { PASSWORD, uniqueEmail } from '../helpers/accounts';
import { send } from '../helpers/http';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The brute-force limits hold whatever the parallelism: every attempt is counted before its
// password is checked, so N attempts sent at once against a limit of L get exactly L answers and
// N − L 429s — per email, per client address and for registrations, on every counter store.
// Behind trusted proxies the client address is the one the proxies saw, however the client
// fills X-Forwarded-For.

const REDIS_URL = 'redis://127.0.0.1:6379';
const LIMIT = 5;
const PARALLEL = 20;

// Counters in Redis and PostgreSQL outlive the app: every address and email here is unique.
let counter = 0;
const uniqueIp = () => `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${++counter % 256}`;

/** A POST from the client address `forwardedFor` (the service trusts one proxy); its status. */
const post = async (app: TestApp, path: string, body: unknown, forwardedFor: string) =>
  (await send(app, 'POST', path, { body, headers: { 'x-forwarded-for': forwardedFor } })).status;

const countOf = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

const stores: { name: string; env: Record<string, string>; available: boolean }[] = [
  { name: 'memory', env: {}, available: true },
  { name: 'redis', env: { RATE_LIMIT_STORE: 'redis', REDIS_URL }, available: true },
  { name: 'postgres', env: { RATE_LIMIT_STORE: 'postgres' }, available: serverUrl !== undefined },
];

for (const store of stores) {
  const title = store.available
    ? `${PARALLEL} attempts at once against a limit of ${LIMIT}, counted in ${store.name}`
    : `attempts at once, counted in ${store.name} — skipped: the engine is PGlite (set TEST_DATABASE_URL to run it)`;

  (store.available ? describe : describe.skip)(title, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        ...store.env,
        TRUST_PROXY: 'true',
        LOGIN_RATE_LIMIT: `${LIMIT}/1h`,
        LOGIN_IP_RATE_LIMIT: `${LIMIT}/1h`,
        REGISTER_RATE_LIMIT: `${LIMIT}/1h`,
      });
    });
    afterAll(() => app?.stop());

    test('wrong passwords for one email (from many addresses): exactly the limit get 401, the rest 429', async () => {
      const email = uniqueEmail();
      expect(await post(app, '/auth/register', { email, password: PASSWORD }, uniqueIp())).toBe(201);
      const statuses = await Promise.all(Array.from({ length: PARALLEL }, () => post(app, '/auth/login', { email, password: 'wrong password!' }, uniqueIp())));
      expect(countOf(statuses)).toEqual({ 401: LIMIT, 429: PARALLEL - LIMIT });
    });

    test('wrong passwords from one address (over many emails): exactly the limit get 401, the rest 429', async () => {
      const ip = uniqueIp();
      const statuses = await Promise.all(Array.from({ length: PARALLEL }, () => post(app, '/auth/login', { email: uniqueEmail(), password: 'wrong password!' }, ip)));
      expect(countOf(statuses)).toEqual({ 401: LIMIT, 429: PARALLEL - LIMIT });
    });

    test('registrations from one address: exactly the limit get 201, the rest 429', async () => {
      const ip = uniqueIp();
      const statuses = await Promise.all(Array.from({ length: PARALLEL }, () => post(app, '/auth/register', { email: uniqueEmail(), password: PASSWORD }, ip)));
      expect(countOf(statuses)).toEqual({ 201: LIMIT, 429: PARALLEL - LIMIT });
    });

    test('successful logins give their point back: an address that logs in many times at once is never throttled', async () => {
      const ip = uniqueIp();
      const email = uniqueEmail();
      expect(await post(app, '/auth/register', { email, password: PASSWORD }, uniqueIp())).toBe(201);
      for (let round = 0; round < 3; round++) {
        const statuses = await Promise.all(Array.from({ length: LIMIT }, () => post(app, '/auth/login', { email, password: PASSWORD }, ip)));
        expect(countOf(statuses)).toEqual({ 200: LIMIT });
      }
    });
  });
}

describe('behind trusted proxies (TRUST_PROXY=true, TRUST_PROXY_HOPS=2)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2', LOGIN_RATE_LIMIT: '0', LOGIN_IP_RATE_LIMIT: '3/1h' });
  });
  afterAll(() => app?.stop());

  /** What a client may put in front of the entries the two proxies append. */
  const spoofed = fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.stringMatching(/^[A-Za-z0-9.:_-]{1,20}$/)), { maxLength: 4 });

  test(
    'the client address is the entry the outer proxy appended, whatever the client wrote before it',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(spoofed, { minLength: 4, maxLength: 4 }), async (prefixes) => {
          const client = uniqueIp();
          const header = (prefix: string[]) => [...prefix, client, '192.0.2.1'].join(', ');
          const fail = (prefix: string[]) => post(app, '/auth/login', { email: uniqueEmail(), password: 'wrong password!' }, header(prefix));
          const statuses = [];
          for (const prefix of prefixes) statuses.push(await fail(prefix));
          expect(statuses).toEqual([401, 401, 401, 429]);
          // Another client behind the same proxies is not affected.
          expect(await post(app, '/auth/login', { email: uniqueEmail(), password: 'wrong password!' }, `${client}, ${uniqueIp()}, 192.0.2.1`)).toBe(401);
        }),
        params({ numRuns: Math.min(15, params().numRuns!) }),
      );
    },
    propertyTimeout(),
  );
});
