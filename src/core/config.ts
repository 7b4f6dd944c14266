import path from 'node:path';
import { HOW_TO_MAKE_ONE, weakSecretReason } from './secret-strength';

// The only module that reads the environment. Everything else receives a Config.

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  readonly env: NodeEnv;
  readonly port: number;
  /** WEB_CONCURRENCY: worker processes sharing the port (1: no cluster). */
  readonly workers: number;
  readonly host: string;
  /** Set: a PostgreSQL server through a `pg` pool. Unset: embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema holding the tables (tests use a fresh one per run). */
  readonly databaseSchema: string;
  readonly dataDir: string;
  readonly db: {
    readonly poolMax: number;
    readonly connectTimeoutMs: number;
    readonly statementTimeoutMs: number;
    readonly acquireTimeoutMs: number;
    /** Row Level Security on tasks: on, off, or auto (on when the database allows it). */
    readonly rowLevelSecurity: 'on' | 'off' | 'auto';
  };
  readonly jwt: {
    /** Undefined in development means: generate one and keep it in dataDir. */
    readonly secret: string | undefined;
    /** `iss` and `aud` of the tokens this service issues for its own accounts. */
    readonly ownIssuer: string;
    /** What an identity provider's tokens must carry (never this service's own). */
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
    /** Lifetime of the tokens this service issues. */
    readonly ttlSeconds: number;
    /** An identity provider's JWKS endpoint, for RS256/ES256/EdDSA tokens. */
    readonly jwksUrl: string | undefined;
    readonly jwksTimeoutMs: number;
  };
  readonly bcryptCost: number;
  readonly rateLimits: {
    /** Failed logins per email; null disables. */
    readonly loginPerEmail: RateLimit | null;
    /** Failed logins per client IP. */
    readonly loginPerIp: RateLimit | null;
    /** Registrations per client IP. */
    readonly registerPerIp: RateLimit | null;
    readonly store: 'memory' | 'postgres' | 'redis';
    readonly redisUrl: string | undefined;
  };
  /** Take the client IP from X-Forwarded-For (only behind a proxy you trust). */
  readonly trustProxy: boolean;
  /**
   * How many proxies in front of the service append to X-Forwarded-For: the client address is
   * that many entries from the right (what the outermost trusted proxy saw); entries further
   * left were written by the client and are never trusted.
   */
  readonly trustProxyHops: number;
  /**
   * Where clients reach the service (scheme, host, optional path prefix), named in the served
   * contract's `servers`. Unset: each copy names the origin its request came in on, and may be
   * kept by that client only (never by a shared cache).
   */
  readonly publicUrl: string | undefined;
  readonly logLevel: string;
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly crossUserTaskStatus: 403 | 404;
  readonly provisionUsers: boolean;
  readonly shutdownTimeoutMs: number;
  readonly http: {
    /** A client must send all its headers within this (slowloris). */
    readonly headersTimeoutMs: number;
    /** A whole request (headers and body) must arrive within this. */
    readonly requestTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    readonly keepAliveTimeoutMs: number;
  };
}

export class ConfigError extends Error {}

export interface RateLimit {
  readonly points: number;
  readonly durationSeconds: number;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "3600", "90s", "15m", "1h", "7d" → seconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(raw.trim());
  if (!match || Number(match[1]) === 0) throw new ConfigError(`not a duration: "${raw}" (try 3600, 15m or 1h)`);
  return Number(match[1]) * DURATION_UNITS[(match[2] || 's').toLowerCase()];
}

/** "10/15m" → 10 attempts per 15 minutes; "0" → disabled (null). */
export function parseRateLimit(raw: string): RateLimit | null {
  if (raw.trim() === '0') return null;
  const match = /^(\d+)\s*\/\s*(.+)$/.exec(raw.trim());
  if (!match || Number(match[1]) === 0) throw new ConfigError(`not a rate limit: "${raw}" (try 10/15m, or 0 to disable)`);
  return { points: Number(match[1]), durationSeconds: parseDuration(match[2]) };
}

type Env = Record<string, string | undefined>;

function str(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = str(env, key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${key} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = str(env, key)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 };

/** "65536", "64kb", "1mb" → bytes. */
export function parseByteSize(raw: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = match?.[2].toLowerCase() || 'b';
  if (!match || !(unit in BYTE_UNITS)) throw new ConfigError(`not a byte size: "${raw}" (try 65536 or 64kb)`);
  return Number(match[1]) * BYTE_UNITS[unit];
}

function parsed<T>(env: Env, key: string, fallback: string, parse: (raw: string) => T): T {
  try {
    return parse(str(env, key) ?? fallback);
  } catch (err) {
    throw new ConfigError(`${key}: ${(err as Error).message}`);
  }
}

function byteSize(env: Env, key: string, fallback: string): number {
  return parsed(env, key, fallback, parseByteSize);
}

function oneOf<T extends string>(env: Env, key: string, values: readonly T[]): T {
  const raw = (str(env, key) ?? values[0]).toLowerCase();
  if (!values.includes(raw as T)) throw new ConfigError(`${key} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, key: string): string | undefined {
  const raw = str(env, key);
  if (raw === undefined) return undefined;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(`${key} must be a URL, got "${raw}"`);
  }
  return raw;
}

/** TOKEN_ISSUER: 1–255 characters, and not the identity provider's issuer (the two kinds of token must differ). */
function ownIssuer(env: Env): string {
  const issuer = str(env, 'TOKEN_ISSUER') ?? 'task-api';
  if (issuer.length > 255) throw new ConfigError('TOKEN_ISSUER must be at most 255 characters');
  if (issuer === str(env, 'JWT_ISSUER')) {
    throw new ConfigError("TOKEN_ISSUER and JWT_ISSUER must differ: the service's own tokens and an identity provider's are told apart by it");
  }
  return issuer;
}

/** A postgres:// or postgresql:// connection string (a typo here would otherwise be retried as a host name). */
function databaseUrl(env: Env): string | undefined {
  const raw = str(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL must be a connection string like postgres://user:password@host:5432/database');
  }
  return raw;
}

/** An http(s) URL with no query or fragment, without a trailing slash. */
function publicUrl(env: Env): string | undefined {
  const raw = url(env, 'PUBLIC_URL');
  if (raw === undefined) return undefined;
  const parsed = new URL(raw);
  if (!['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL without query, fragment or credentials, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function rateLimitStore(env: Env, workers: number): 'memory' | 'postgres' | 'redis' {
  // Several workers need one shared count: memory would give each worker its own limit.
  const store = str(env, 'RATE_LIMIT_STORE') ?? (workers > 1 ? 'postgres' : 'memory');
  if (store === 'memory' && workers > 1) {
    throw new ConfigError('RATE_LIMIT_STORE=memory counts per process; with WEB_CONCURRENCY > 1 use postgres or redis');
  }
  if (store !== 'memory' && store !== 'postgres' && store !== 'redis') {
    throw new ConfigError(`RATE_LIMIT_STORE must be memory, postgres or redis, got "${store}"`);
  }
  if (store === 'redis' && !str(env, 'REDIS_URL')) throw new ConfigError('RATE_LIMIT_STORE=redis needs REDIS_URL');
  // rate-limiter-flexible speaks the pg driver's protocol; PGlite is one process anyway, where memory is exact.
  if (store === 'postgres' && !str(env, 'DATABASE_URL')) throw new ConfigError('RATE_LIMIT_STORE=postgres needs DATABASE_URL');
  return store;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = (str(env, 'NODE_ENV') ?? 'development') as NodeEnv;
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${nodeEnv}"`);
  }
  const secret = str(env, 'JWT_SECRET');
  if (nodeEnv === 'production' && (secret === undefined || Buffer.byteLength(secret) < 32)) {
    throw new ConfigError(`JWT_SECRET must be set to at least 32 bytes when NODE_ENV=production: ${HOW_TO_MAKE_ONE}`);
  }
  const weakness = nodeEnv === 'production' && secret !== undefined ? weakSecretReason(secret) : undefined;
  if (weakness) throw new ConfigError(`JWT_SECRET ${weakness}, so tokens signed with it could be forged: ${HOW_TO_MAKE_ONE}`);
  const crossUser = int(env, 'CROSS_USER_TASK_STATUS', 404, 403, 404);
  if (crossUser !== 403 && crossUser !== 404) throw new ConfigError('CROSS_USER_TASK_STATUS must be 403 or 404');
  const workers = int(env, 'WEB_CONCURRENCY', 1, 1, 64);
  if (workers > 1 && !str(env, 'DATABASE_URL')) {
    throw new ConfigError('WEB_CONCURRENCY > 1 needs DATABASE_URL: the embedded database belongs to one process');
  }
  const schema = str(env, 'DATABASE_SCHEMA') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError(`DATABASE_SCHEMA is not a plain identifier: "${schema}"`);

  return Object.freeze({
    env: nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    workers,
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: databaseUrl(env),
    databaseSchema: schema,
    dataDir: path.resolve(str(env, 'DATA_DIR') ?? './data'),
    db: Object.freeze({
      poolMax: int(env, 'DB_POOL_MAX', 10, 1, 1000),
      connectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
      acquireTimeoutMs: int(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 100, 600_000),
      // Off by default: measured at well over 10 % of read throughput (two more round trips a
      // request); see the README. Task.ownedBy scopes every query either way.
      rowLevelSecurity: oneOf(env, 'DB_ROW_LEVEL_SECURITY', ['off', 'on', 'auto'] as const),
    }),
    jwt: Object.freeze({
      secret,
      ownIssuer: ownIssuer(env),
      issuer: str(env, 'JWT_ISSUER'),
      audience: str(env, 'JWT_AUDIENCE'),
      ttlSeconds: parsed(env, 'JWT_TTL', '1h', parseDuration),
      jwksUrl: url(env, 'JWT_JWKS_URL'),
      jwksTimeoutMs: int(env, 'JWT_JWKS_TIMEOUT_MS', 5000, 100, 60_000),
    }),
    bcryptCost: int(env, 'BCRYPT_COST', 12, 4, 31),
    rateLimits: Object.freeze({
      loginPerEmail: parsed(env, 'LOGIN_RATE_LIMIT', '10/15m', parseRateLimit),
      loginPerIp: parsed(env, 'LOGIN_IP_RATE_LIMIT', '100/15m', parseRateLimit),
      registerPerIp: parsed(env, 'REGISTER_RATE_LIMIT', '20/1h', parseRateLimit),
      store: rateLimitStore(env, workers),
      redisUrl: url(env, 'REDIS_URL'),
    }),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 1, 1, 16),
    publicUrl: publicUrl(env),
    logLevel: str(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    corsOrigins: Object.freeze((str(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean)),
    bodyLimitBytes: byteSize(env, 'BODY_LIMIT', '64kb'),
    crossUserTaskStatus: crossUser,
    provisionUsers: bool(env, 'AUTH_PROVISION_USERS', false),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    http: Object.freeze({
      headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
      keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    }),
  });
}
