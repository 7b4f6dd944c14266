import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseByteSize, parseDuration, parseRateLimit } from '../../src/core/config';

// loadConfig is given explicit environments: nothing here reads or changes process.env.

/** The ConfigError loadConfig throws for `env`; fails the test when it does not throw one. */
function configErrorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** 32 random characters (24 random bytes, base64url): strong enough for production. */
const STRONG_SECRET = 'J-RQfK0kwnq-tevgN1DgKjirs9EtakZn';

describe('loadConfig defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      databaseSchema: 'public',
      dataDir: path.resolve('./data'),
      db: { poolMax: 10, connectTimeoutMs: 5000, statementTimeoutMs: 5000, acquireTimeoutMs: 5000 },
      jwt: { secret: undefined, issuer: undefined, audience: undefined },
      logLevel: 'info',
      corsOrigins: [],
      bodyLimitBytes: 64 * 1024,
      crossUserTaskStatus: 404,
      provisionUsers: false,
    });
  });

  test('blank values count as unset and fall back to the defaults', () => {
    const config = loadConfig({ PORT: '', HOST: '   ', DATABASE_URL: '', JWT_SECRET: ' ', BODY_LIMIT: '', AUTH_PROVISION_USERS: '' });

    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwt.secret).toBeUndefined();
    expect(config.bodyLimitBytes).toBe(65536);
    expect(config.provisionUsers).toBe(false);
  });

  test('a relative DATA_DIR is taken from the project folder, whichever folder the service starts in', () => {
    const project = path.resolve(__dirname, '../..');
    const here = process.cwd();
    try {
      process.chdir(os.tmpdir());
      expect(loadConfig({}).dataDir).toBe(path.join(project, 'data'));
      expect(loadConfig({ DATA_DIR: 'var/tasks' }).dataDir).toBe(path.join(project, 'var/tasks'));
      expect(loadConfig({ DATA_DIR: '/srv/tasks' }).dataDir).toBe('/srv/tasks');
    } finally {
      process.chdir(here);
    }
  });

  test('the test environment logs nothing unless LOG_LEVEL says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });

  test('every documented variable is read', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      WEB_CONCURRENCY: '3',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://app@db.example:5432/tasks?sslmode=require',
      DATABASE_SCHEMA: 'tasks_v2',
      DATA_DIR: '/var/lib/tasks',
      DB_POOL_MAX: '25',
      DB_CONNECT_TIMEOUT_MS: '1500',
      DB_STATEMENT_TIMEOUT_MS: '2500',
      DB_ACQUIRE_TIMEOUT_MS: '3500',
      DB_ROW_LEVEL_SECURITY: 'on',
      DB_PREPARED_STATEMENTS: 'off',
      JWT_SECRET: STRONG_SECRET,
      JWT_ISSUER: 'https://auth.example',
      JWT_AUDIENCE: 'tasks',
      TOKEN_ISSUER: 'tasks.example',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      CORS_ORIGINS: 'https://a.example, https://b.example,,',
      BODY_LIMIT: '1mb',
      CROSS_USER_TASK_STATUS: '403',
      AUTH_PROVISION_USERS: 'true',
      SHUTDOWN_TIMEOUT_MS: '2000',
      JWT_TTL: '15m',
      JWT_JWKS_URL: 'https://auth.example/.well-known/jwks.json',
      JWT_JWKS_TIMEOUT_MS: '800',
      BCRYPT_COST: '10',
      LOGIN_RATE_LIMIT: '5/10m',
      LOGIN_IP_RATE_LIMIT: '0',
      REGISTER_RATE_LIMIT: '3/1h',
      RATE_LIMIT_STORE: 'redis',
      REDIS_URL: 'redis://cache.example:6379',
      TRUST_PROXY: 'true',
      TRUST_PROXY_HOPS: '2',
      PUBLIC_URL: 'https://tasks.example/',
      HTTP_HEADERS_TIMEOUT_MS: '4000',
      HTTP_REQUEST_TIMEOUT_MS: '9000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
    });

    expect(config).toEqual({
      env: 'production',
      port: 8080,
      workers: 3,
      host: '127.0.0.1',
      databaseUrl: 'postgres://app@db.example:5432/tasks?sslmode=require',
      databaseSchema: 'tasks_v2',
      dataDir: path.resolve('/var/lib/tasks'),
      db: { poolMax: 25, connectTimeoutMs: 1500, statementTimeoutMs: 2500, acquireTimeoutMs: 3500, rowLevelSecurity: 'on', preparedStatements: false },
      jwt: {
        secret: STRONG_SECRET,
        ownIssuer: 'tasks.example',
        issuer: 'https://auth.example',
        audience: 'tasks',
        ttlSeconds: 900,
        jwksUrl: 'https://auth.example/.well-known/jwks.json',
        jwksTimeoutMs: 800,
      },
      bcryptCost: 10,
      rateLimits: {
        loginPerEmail: { points: 5, durationSeconds: 600 },
        loginPerIp: null,
        registerPerIp: { points: 3, durationSeconds: 3600 },
        store: 'redis',
        redisUrl: 'redis://cache.example:6379',
      },
      trustProxy: true,
      trustProxyHops: 2,
      publicUrl: 'https://tasks.example',
      http: { headersTimeoutMs: 4000, requestTimeoutMs: 9000, keepAliveTimeoutMs: 1000 },
      logLevel: 'warn',
      logFormat: 'json',
      corsOrigins: ['https://a.example', 'https://b.example'],
      bodyLimitBytes: 1024 * 1024,
      crossUserTaskStatus: 403,
      provisionUsers: true,
      shutdownTimeoutMs: 2000,
    });
  });

  test.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
  ])('AUTH_PROVISION_USERS=%s reads as %s', (raw, expected) => {
    expect(loadConfig({ AUTH_PROVISION_USERS: raw }).provisionUsers).toBe(expected);
  });
});

describe('loadConfig refuses a bad environment', () => {
  test.each([
    ['PORT', 'abc'],
    ['PORT', '3000.5'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['DB_POOL_MAX', '0'],
    ['DB_POOL_MAX', 'ten'],
    ['DB_CONNECT_TIMEOUT_MS', '5s'],
    ['DB_STATEMENT_TIMEOUT_MS', '99'],
    ['DB_ACQUIRE_TIMEOUT_MS', '1e4'],
    ['SHUTDOWN_TIMEOUT_MS', '600001'],
    ['AUTH_PROVISION_USERS', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_SCHEMA', 'Tasks'],
    ['DATABASE_SCHEMA', 'tasks; drop table users'],
    ['BODY_LIMIT', 'lots'],
    ['BODY_LIMIT', '10gb'],
    ['BODY_LIMIT', '1.5mb'],
    ['BODY_LIMIT', '-1kb'],
    ['CROSS_USER_TASK_STATUS', '401'],
    ['CROSS_USER_TASK_STATUS', '405'],
    ['CROSS_USER_TASK_STATUS', 'forbidden'],
  ])('%s=%s is a ConfigError naming the variable and the value', (key, raw) => {
    const error = configErrorFor({ [key]: raw });

    expect(error.message).toContain(key);
    expect(error.message).toContain(raw.split(' ')[0]);
  });

  test('a ConfigError is also an Error, so an unexpected caller still sees a message', () => {
    const error = configErrorFor({ PORT: 'abc' });

    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/whole number/);
  });

  test('production refuses to start without a JWT_SECRET', () => {
    const error = configErrorFor({ NODE_ENV: 'production' });

    expect(error.message).toMatch(/JWT_SECRET/);
    expect(error.message).toMatch(/32 bytes/);
  });

  test('production refuses a JWT_SECRET shorter than 32 bytes', () => {
    const error = configErrorFor({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) });

    expect(error.message).toMatch(/JWT_SECRET/);
  });

  test('production counts the secret in bytes, not characters', () => {
    // 15 two-byte characters and one ASCII character: 31 bytes, too short whatever their variety.
    expect(configErrorFor({ NODE_ENV: 'production', JWT_SECRET: 'éàüößçñøåðþæœłžx' }).message).toMatch(/32 bytes/);
  });

  test('production does not count surrounding white space towards the 32 bytes', () => {
    expect(configErrorFor({ NODE_ENV: 'production', JWT_SECRET: `  ${STRONG_SECRET.slice(0, 30)}  ` }).message).toMatch(/32 bytes/);
  });

  test.each([
    ['the placeholder in .env.example', 'at-least-32-bytes-shared-with-your-identity-provider'],
    ['32 × a', 'a'.repeat(32)],
    ['a short word repeated', 'secret'.repeat(6)],
    ['a longer phrase repeated', 'correct horse battery '.repeat(3)],
    ['the alphabet and digits in order', 'abcdefghijklmnopqrstuvwxyz0123456789'],
    ['two characters', 'ab'.repeat(8) + 'ba'.repeat(8)],
    ['the placeholder in capitals, with underscores', 'AT_LEAST_32_BYTES_SHARED_WITH_YOUR_IDENTITY_PROVIDER'],
    ['few distinct characters', '0110100111010010110100101101001011'],
  ])('production refuses a guessable JWT_SECRET (%s) and says how to make one', (_, secret) => {
    const error = configErrorFor({ NODE_ENV: 'production', JWT_SECRET: secret });
    expect(error.message).toMatch(/JWT_SECRET/);
    expect(error.message).toContain('openssl rand -base64 48');
  });

  test.each(['base64', 'base64url', 'hex'] as const)('production accepts every secret made of 16–64 random bytes written as %s (500 of them)', (encoding) => {
    for (let i = 0; i < 500; i++) {
      const secret = crypto.randomBytes(16 + (i % 49)).toString(encoding);
      if (Buffer.byteLength(secret) < 32) continue;
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).jwt.secret).toBe(secret);
    }
  });

  test('production accepts a secret of exactly 32 bytes', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET }).jwt.secret).toBe(STRONG_SECRET);
  });

  test('development and test start without a secret, leaving it to be generated', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).jwt.secret).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test' }).jwt.secret).toBeUndefined();
  });

  test('development accepts a short secret (only production insists on 32 bytes)', () => {
    expect(loadConfig({ NODE_ENV: 'development', JWT_SECRET: 'short' }).jwt.secret).toBe('short');
  });
});

describe('CROSS_USER_TASK_STATUS', () => {
  test('defaults to 404, so another user\'s task looks like no task at all', () => {
    expect(loadConfig({}).crossUserTaskStatus).toBe(404);
  });

  test.each([
    ['403', 403],
    ['404', 404],
    [' 403 ', 403],
  ])('accepts %j as %d', (raw, expected) => {
    expect(loadConfig({ CROSS_USER_TASK_STATUS: raw }).crossUserTaskStatus).toBe(expected);
  });
});

describe('BODY_LIMIT', () => {
  test.each([
    ['65536', 65536],
    ['0', 0],
    ['512b', 512],
    ['64kb', 64 * 1024],
    ['64KB', 64 * 1024],
    ['64 kb', 64 * 1024],
    ['64kib', 64 * 1024],
    ['1mb', 1024 * 1024],
    ['2MiB', 2 * 1024 * 1024],
  ])('BODY_LIMIT=%s is %d bytes', (raw, bytes) => {
    expect(loadConfig({ BODY_LIMIT: raw }).bodyLimitBytes).toBe(bytes);
  });

  test.each(['lots', '10gb', '1.5mb', '-1', 'kb', '64 k b', '0x100'])('parseByteSize refuses %j', (raw) => {
    expect(parseByteSize(raw)).toBeUndefined();
  });

  test('BODY_LIMIT says what it expected', () => {
    expect(configErrorFor({ BODY_LIMIT: 'lots' }).message).toMatch(/lots.*65536|65536.*lots/);
  });
});

describe('the loaded configuration', () => {
  test('is frozen, nested objects included', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example' });

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.db)).toBe(true);
    expect(Object.isFrozen(config.jwt)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  test('cannot be changed by a careless assignment', () => {
    const config = loadConfig({});

    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.jwt as { secret: string | undefined }).secret = 'stolen';
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
    expect(config.jwt.secret).toBeUndefined();
  });

  test('does not read process.env when given an environment', () => {
    const before = process.env.PORT;
    process.env.PORT = '4321';
    try {
      expect(loadConfig({}).port).toBe(3000);
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });
});

describe('durations and rate limits', () => {
  test.each([
    ['3600', 3600],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
    [' 2M ', 120],
  ])('parseDuration(%p) is %p seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  test.each(['', '0', '1w', '-5m', '1.5h', 'soon'])('parseDuration(%p) is refused', (raw) => {
    expect(parseDuration(raw)).toBeUndefined();
  });

  test('parseRateLimit reads attempts per window, and 0 disables', () => {
    expect(parseRateLimit('10/15m')).toEqual({ points: 10, durationSeconds: 900 });
    expect(parseRateLimit(' 3 / 2s ')).toEqual({ points: 3, durationSeconds: 2 });
    expect(parseRateLimit('0')).toBeNull();
  });

  test.each(['10', '0/1h', '/1h', '10/', '10/forever', 'many/1h'])('parseRateLimit(%p) is refused', (raw) => {
    expect(parseRateLimit(raw)).toBeUndefined();
    expect(configErrorFor({ LOGIN_RATE_LIMIT: raw || ' ' }).message).toMatch(/LOGIN_RATE_LIMIT/);
  });

  test('the defaults are production-safe', () => {
    const { rateLimits, bcryptCost, jwt } = loadConfig({});
    expect(rateLimits).toMatchObject({
      loginPerEmail: { points: 10, durationSeconds: 900 },
      loginPerIp: { points: 100, durationSeconds: 900 },
      registerPerIp: { points: 20, durationSeconds: 3600 },
      store: 'memory',
    });
    expect(bcryptCost).toBe(12);
    expect(jwt.ttlSeconds).toBe(3600);
  });

  test.each([
    [{ LOGIN_RATE_LIMIT: 'lots' }, /LOGIN_RATE_LIMIT/],
    [{ JWT_TTL: 'forever' }, /JWT_TTL/],
    [{ JWT_JWKS_URL: 'not a url' }, /JWT_JWKS_URL/],
    [{ BCRYPT_COST: '3' }, /BCRYPT_COST/],
    [{ RATE_LIMIT_STORE: 'mongo' }, /RATE_LIMIT_STORE/],
    [{ RATE_LIMIT_STORE: 'redis' }, /REDIS_URL/],
    [{ RATE_LIMIT_STORE: 'postgres' }, /DATABASE_URL/],
  ])('%p is refused with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('WEB_CONCURRENCY', () => {
  const PG = 'postgres://db.example/tasks';

  test('defaults to one process', () => {
    expect(loadConfig({}).workers).toBe(1);
  });

  test('several workers need DATABASE_URL: the embedded database belongs to one process', () => {
    expect(configErrorFor({ WEB_CONCURRENCY: '2' }).message).toMatch(/needs DATABASE_URL/);
    expect(loadConfig({ WEB_CONCURRENCY: '4', DATABASE_URL: PG }).workers).toBe(4);
  });

  test('several workers share their rate-limit counts: postgres by default, memory refused', () => {
    expect(loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: PG }).rateLimits.store).toBe('postgres');
    expect(loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: PG, RATE_LIMIT_STORE: 'redis', REDIS_URL: 'redis://r' }).rateLimits.store).toBe('redis');
    expect(configErrorFor({ WEB_CONCURRENCY: '2', DATABASE_URL: PG, RATE_LIMIT_STORE: 'memory' }).message).toMatch(/per process/);
    expect(loadConfig({ DATABASE_URL: PG }).rateLimits.store).toBe('memory');
  });

  test.each(['0', '65', 'two', '1.5'])('%j is refused', (value) => {
    expect(configErrorFor({ WEB_CONCURRENCY: value, DATABASE_URL: PG }).message).toMatch(/WEB_CONCURRENCY/);
  });
});

describe('PUBLIC_URL', () => {
  test.each(['https://tasks.example.org', 'https://tasks.example.org/', 'http://127.0.0.1:3000/api/v1/'])('%s is kept without its trailing slash', (value) => {
    expect(loadConfig({ PUBLIC_URL: value }).publicUrl).toBe(value.replace(/\/+$/, ''));
  });

  test.each(['tasks.example.org', 'ftp://tasks.example.org', 'https://tasks.example.org/?x=1', 'https://tasks.example.org/#top', 'https://user:pw@tasks.example.org'])(
    '%s is refused',
    (value) => {
      expect(configErrorFor({ PUBLIC_URL: value }).message).toMatch(/PUBLIC_URL/);
    },
  );
});

describe('TOKEN_ISSUER', () => {
  test("defaults to task-api, and must differ from an identity provider's JWT_ISSUER", () => {
    expect(loadConfig({}).jwt.ownIssuer).toBe('task-api');
    expect(configErrorFor({ TOKEN_ISSUER: 'https://idp.example', JWT_ISSUER: 'https://idp.example' }).message).toMatch(/must differ/);
    expect(configErrorFor({ JWT_ISSUER: 'task-api' }).message).toMatch(/must differ/);
  });
});
