import { ConfigError, loadConfig } from '../../src/core/config';
import { serverUrl } from '../helpers/engine';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { PASSWORD, uniqueEmail } from '../helpers/accounts';
import { send, type Sent } from '../helpers/http';

// Brute-force brakes on the account routes: failed logins per email and per client IP, and
// registrations per IP, each `attempts/window` from the configuration (`0` disables). Past the
// limit the answer is 429 problem+json with an integer Retry-After, and it never tells whether an
// email is registered. The per-email behaviour runs once per counter store: memory, Redis, and
// PostgreSQL (only when the engine is a PostgreSQL server).

const WRONG = 'wrong horse battery staple';
const THROTTLED = 'Too many attempts, retry later';
const LOGIN_FAILED = 'Invalid email or password';
const REDIS_URL = 'redis://127.0.0.1:6379';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const post = (app: TestApp, path: string, body: unknown) => send(app, 'POST', path, { body });

const register = (app: TestApp, email: string, password = PASSWORD) => post(app, '/auth/register', { email, password });
const login = (app: TestApp, email: string, password: string, path = '/auth/login') => post(app, path, { email, password });

async function registered(app: TestApp, name: string): Promise<string> {
  const email = uniqueEmail(name);
  const sent = await register(app, email);
  expect(sent.res.status).toBe(201);
  return email;
}

/** `times` wrong-password logins, each answered with the plain 401 of a failed login. */
async function failLogins(app: TestApp, email: string, times: number, path?: string) {
  for (let i = 0; i < times; i++) {
    const sent = await login(app, email, WRONG, path);
    expect(sent.res.status).toBe(401);
    expect(sent.json.detail).toBe(LOGIN_FAILED);
  }
}

/** 429 problem+json with an integer Retry-After between 1 s and the window; returns the Retry-After. */
function expectThrottled(sent: Sent, windowSeconds: number): number {
  expect(sent.res.status).toBe(429);
  expect(sent.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(sent.json).toEqual(expect.objectContaining({ type: expect.any(String), title: 'Too Many Requests', status: 429, detail: THROTTLED }));
  const retryAfter = sent.res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
  return seconds;
}

/** A response with what legitimately differs between two requests (the request id) taken out. */
function comparable(sent: Sent) {
  const { request_id, ...body } = sent.json; // eslint-disable-line @typescript-eslint/no-unused-vars
  const headerNames = [...sent.res.headers.keys()].filter((name) => name !== 'date').sort();
  const headers = Object.fromEntries(
    headerNames.filter((name) => !['x-request-id', 'retry-after', 'content-length'].includes(name)).map((name) => [name, sent.res.headers.get(name)]),
  );
  return { status: sent.res.status, body, headerNames, headers };
}

// ---------------------------------------------------------------------------------------------
// Failed logins per email, once per counter store
// ---------------------------------------------------------------------------------------------

interface Store {
  name: string;
  env: Record<string, string>;
  available: boolean;
  /** Counts kept outside the process, shared by instances and kept across restarts. */
  shared: boolean;
}

const stores: Store[] = [
  { name: 'the in-memory store (default)', env: {}, available: true, shared: false },
  { name: 'the Redis store (RATE_LIMIT_STORE=redis)', env: { RATE_LIMIT_STORE: 'redis', REDIS_URL }, available: true, shared: true },
  {
    name: 'the PostgreSQL store (RATE_LIMIT_STORE=postgres)',
    env: { RATE_LIMIT_STORE: 'postgres' },
    available: serverUrl !== undefined,
    shared: true,
  },
];

for (const store of stores) {
  const describeStore = store.available ? describe : describe.skip;
  const title = store.available
    ? `failed logins per email, counted in ${store.name}`
    : `failed logins per email, counted in ${store.name} — skipped: the engine is PGlite (set TEST_DATABASE_URL to run it)`;

  describeStore(title, () => {
    // The per-IP and registration limits are off: Redis counters are shared with parallel runs
    // from the same address, and these tests are about the per-email count.
    const common = { ...store.env, LOGIN_IP_RATE_LIMIT: '0', REGISTER_RATE_LIMIT: '0' };
    /** A short window, to see it pass. */
    let shortWindow: TestApp;
    /** A long window, so that nothing expires while a test counts. */
    let longWindow: TestApp;

    beforeAll(async () => {
      shortWindow = await startTestApp({ ...common, LOGIN_RATE_LIMIT: '3/2s' });
      longWindow = await startTestApp({ ...common, LOGIN_RATE_LIMIT: '3/1h' });
    });
    afterAll(async () => {
      await shortWindow?.stop();
      await longWindow?.stop();
    });

    test('the attempt after 3 failures answers 429 with an integer Retry-After, even with the right password', async () => {
      // Arrange
      const email = await registered(longWindow, 'victim');
      await failLogins(longWindow, email, 3);

      // Act
      const wrong = await login(longWindow, email, WRONG);
      const right = await login(longWindow, email, PASSWORD);
      const wrongAgain = await login(longWindow, email, WRONG);

      // Assert
      expectThrottled(wrong, 3600);
      expectThrottled(right, 3600);
      expectThrottled(wrongAgain, 3600);
    });

    test('the email is matched case- and space-insensitively, so variants share one count', async () => {
      // Arrange
      const email = await registered(longWindow, 'variants');
      await failLogins(longWindow, email.toUpperCase(), 1);
      await failLogins(longWindow, `  ${email}  `, 1);
      await failLogins(longWindow, email, 1);

      // Act
      const sent = await login(longWindow, email, PASSWORD);

      // Assert
      expectThrottled(sent, 3600);
    });

    test('another email is not affected by a throttled one', async () => {
      // Arrange
      const throttled = await registered(longWindow, 'throttled');
      const other = await registered(longWindow, 'bystander');
      await failLogins(longWindow, throttled, 3);
      expectThrottled(await login(longWindow, throttled, PASSWORD), 3600);

      // Act
      const wrong = await login(longWindow, other, WRONG);
      const right = await login(longWindow, other, PASSWORD);

      // Assert
      expect(wrong.res.status).toBe(401);
      expect(right.res.status).toBe(200);
      expect(right.json.user.email).toBe(other);
    });

    test('after the window passes, the right password works again', async () => {
      // Arrange
      const email = await registered(shortWindow, 'patient');
      await failLogins(shortWindow, email, 3);
      const retryAfter = expectThrottled(await login(shortWindow, email, PASSWORD), 2);

      // Act: wait out the window (a bit over the 2 s, and at least what Retry-After asked for).
      await sleep(Math.max(2000, retryAfter * 1000) + 300);
      const sent = await login(shortWindow, email, PASSWORD);

      // Assert
      expect(sent.res.status).toBe(200);
      expect(sent.json.token_type).toBe('bearer');
    });

    test('a successful login resets the count', async () => {
      // Arrange: 2 failures, then a success.
      const email = await registered(longWindow, 'forgetful');
      await failLogins(longWindow, email, 2);
      expect((await login(longWindow, email, PASSWORD)).res.status).toBe(200);

      // Act: without the reset, the second of these would already be throttled.
      await failLogins(longWindow, email, 3);
      const fourth = await login(longWindow, email, WRONG);

      // Assert: the count started again from zero, and the limit still holds.
      expectThrottled(fourth, 3600);
    });

    test('a login sent as soon as the service listens is answered, not failed while the store connects', async () => {
      // Arrange
      const email = await registered(longWindow, 'early-bird');
      await longWindow.restart();

      // Act
      const wrong = await login(longWindow, uniqueEmail('early-unknown'), WRONG);
      const right = await login(longWindow, email, PASSWORD);

      // Assert
      expect(wrong.res.status).toBe(401);
      expect(right.res.status).toBe(200);
    });

    (store.shared ? test : test.skip)('the count is kept outside the process: it survives a restart of the service', async () => {
      // Arrange
      const email = await registered(longWindow, 'restarted');
      await failLogins(longWindow, email, 3);

      // Act
      await longWindow.restart();
      const sent = await login(longWindow, email, PASSWORD);

      // Assert
      expectThrottled(sent, 3600);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What a throttled answer reveals
// ---------------------------------------------------------------------------------------------

describe('a throttled login never reveals whether the email is registered', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '3/1h', LOGIN_IP_RATE_LIMIT: '0' });
  });
  afterAll(() => app.stop());

  test('an unknown and a known email are throttled after the same number of failures, with identical answers', async () => {
    // Arrange
    const known = await registered(app, 'known');
    const unknown = uniqueEmail('unknown');
    const failures = { known: [] as Sent[], unknown: [] as Sent[] };
    for (let i = 0; i < 3; i++) {
      failures.known.push(await login(app, known, WRONG));
      failures.unknown.push(await login(app, unknown, WRONG));
    }

    // Act
    const knownThrottled = await login(app, known, PASSWORD);
    const unknownThrottled = await login(app, unknown, PASSWORD);

    // Assert: the same 401s before the limit, the same 429 after it.
    for (let i = 0; i < 3; i++) {
      expect(failures.known[i].res.status).toBe(401);
      expect(comparable(failures.unknown[i])).toEqual(comparable(failures.known[i]));
    }
    const knownWait = expectThrottled(knownThrottled, 3600);
    const unknownWait = expectThrottled(unknownThrottled, 3600);
    expect(comparable(unknownThrottled)).toEqual(comparable(knownThrottled));
    expect(Math.abs(knownWait - unknownWait)).toBeLessThanOrEqual(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Failed logins per client IP
// ---------------------------------------------------------------------------------------------

describe('failed logins per client IP (LOGIN_IP_RATE_LIMIT=4/1h, per-email limit off)', () => {
  let app: TestApp;

  beforeAll(async () => {
    // A long window, so that nothing expires while the test counts; the in-memory store is per app.
    app = await startTestApp({ LOGIN_IP_RATE_LIMIT: '4/1h', LOGIN_RATE_LIMIT: '0' });
  });
  afterAll(() => app.stop());

  test('failures spread over different emails throttle the address, the right password included', async () => {
    // Arrange
    const account = await registered(app, 'behind-nat');
    for (let i = 0; i < 4; i++) await failLogins(app, uniqueEmail(`spray-${i}`), 1);

    // Act
    const fresh = await login(app, uniqueEmail('spray-next'), WRONG);
    const right = await login(app, account, PASSWORD);

    // Assert
    expectThrottled(fresh, 3600);
    expectThrottled(right, 3600);
  });
});

describe('the /api/auth mirror', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '3/1h', LOGIN_IP_RATE_LIMIT: '0' });
  });
  afterAll(() => app.stop());

  test('failures on /auth/login and /api/auth/login share one count per email', async () => {
    // Arrange
    const email = await registered(app, 'mirror');
    await failLogins(app, email, 2, '/api/auth/login');
    await failLogins(app, email, 1, '/auth/login');

    // Act
    const viaApi = await login(app, email, PASSWORD, '/api/auth/login');
    const viaRoot = await login(app, email, PASSWORD, '/auth/login');

    // Assert
    expectThrottled(viaApi, 3600);
    expectThrottled(viaRoot, 3600);
  });
});

// ---------------------------------------------------------------------------------------------
// Registrations per client IP
// ---------------------------------------------------------------------------------------------

describe('registrations per client IP (REGISTER_RATE_LIMIT=2/1h)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ REGISTER_RATE_LIMIT: '2/1h' });
  });
  afterAll(() => app.stop());

  test('the third registration from the same address answers 429, and the first two accounts can log in', async () => {
    // Arrange
    const first = await registered(app, 'first');
    const second = await registered(app, 'second');

    // Act
    const third = await register(app, uniqueEmail('third'));
    const viaMirror = await post(app, '/api/auth/register', { email: uniqueEmail('fourth'), password: PASSWORD });

    // Assert
    expectThrottled(third, 3600);
    expectThrottled(viaMirror, 3600);
    expect((await login(app, first, PASSWORD)).res.status).toBe(200);
    expect((await login(app, second, PASSWORD)).res.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// A limit of 0 disables it
// ---------------------------------------------------------------------------------------------

describe('limits set to 0', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '0', LOGIN_IP_RATE_LIMIT: '0', REGISTER_RATE_LIMIT: '0' });
  });
  afterAll(() => app.stop());

  test('many failed logins for one email never answer 429, and the right password still works', async () => {
    // Arrange
    const email = await registered(app, 'unlimited');

    // Act
    await failLogins(app, email, 25);
    const right = await login(app, email, PASSWORD);

    // Assert
    expect(right.res.status).toBe(200);
  });

  test('many failed logins over many emails never answer 429', async () => {
    for (let i = 0; i < 25; i++) await failLogins(app, uniqueEmail(`many-${i}`), 1);
  });

  test('many registrations from one address are all accepted', async () => {
    for (let i = 0; i < 25; i++) {
      expect((await register(app, uniqueEmail(`signup-${i}`))).res.status).toBe(201);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Configuration of the counter store
// ---------------------------------------------------------------------------------------------

describe('RATE_LIMIT_STORE configuration', () => {
  test('RATE_LIMIT_STORE=postgres without DATABASE_URL is refused with a ConfigError', () => {
    const load = () => loadConfig({ NODE_ENV: 'test', RATE_LIMIT_STORE: 'postgres' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_URL/);
  });

  test('RATE_LIMIT_STORE=postgres with DATABASE_URL is accepted', () => {
    const config = loadConfig({ NODE_ENV: 'test', RATE_LIMIT_STORE: 'postgres', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(config.rateLimits.store).toBe('postgres');
  });

  test('RATE_LIMIT_STORE=redis without REDIS_URL, and an unknown store, are refused with a ConfigError', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', RATE_LIMIT_STORE: 'redis' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', RATE_LIMIT_STORE: 'memcached' })).toThrow(ConfigError);
  });

  test.each(['3', '3/', 'three/1m', '3/0s', '-1/1m'])('a malformed limit "%s" is refused with a ConfigError', (limit) => {
    expect(() => loadConfig({ NODE_ENV: 'test', LOGIN_RATE_LIMIT: limit })).toThrow(ConfigError);
  });
});
