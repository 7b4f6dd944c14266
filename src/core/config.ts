import path from 'node:path';
import { z } from 'zod';
import { HOW_TO_MAKE_ONE, weakSecretReason } from './secret-strength';
import { SETTINGS, type SettingName } from './settings';
import { PROJECT_ROOT } from './project-root';

// The only module that reads the environment: it parses it with the settings' schemas
// (src/core/settings.ts), checks what depends on several settings, and hands out one frozen,
// typed Config. Everything else receives a Config.

export { parseByteSize, parseDuration, parseRateLimit, type RateLimit } from './settings';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** An unset or blank variable is the setting's default (or absent when it has none). */
const blankToDefault = (value: unknown, fallback: string | undefined) => {
  const raw = typeof value === 'string' ? value.trim() : value;
  return raw === undefined || raw === '' ? fallback : raw;
};

/** Each setting's schema, with its default put in for an unset or blank variable. */
type WithDefaults = { [K in SettingName]: z.ZodType<z.output<(typeof SETTINGS)[K]['schema']>, unknown> };
const settingsSchema = z.object(
  Object.fromEntries(
    Object.entries(SETTINGS).map(([name, setting]) => [name, z.preprocess((value) => blankToDefault(value, 'default' in setting ? setting.default : undefined), setting.schema)]),
  ) as unknown as WithDefaults,
);

export type Settings = z.output<typeof settingsSchema>;

/** The rules that tie settings together; the first one broken, as a sentence, or undefined. */
function crossSettingProblem(s: Settings): string | undefined {
  if (s.NODE_ENV === 'production') {
    if (s.JWT_SECRET === undefined || Buffer.byteLength(s.JWT_SECRET) < 32) {
      return `JWT_SECRET must be set to at least 32 bytes when NODE_ENV=production: ${HOW_TO_MAKE_ONE}`;
    }
    const weakness = weakSecretReason(s.JWT_SECRET);
    if (weakness) return `JWT_SECRET ${weakness}, so tokens signed with it could be forged: ${HOW_TO_MAKE_ONE}`;
  }
  if (s.WEB_CONCURRENCY > 1 && !s.DATABASE_URL) return 'WEB_CONCURRENCY > 1 needs DATABASE_URL: the embedded database belongs to one process';
  const store = s.RATE_LIMIT_STORE ?? (s.WEB_CONCURRENCY > 1 ? 'postgres' : 'memory');
  if (store === 'memory' && s.WEB_CONCURRENCY > 1) return 'RATE_LIMIT_STORE=memory counts per process; with WEB_CONCURRENCY > 1 use postgres or redis';
  if (store === 'redis' && !s.REDIS_URL) return 'RATE_LIMIT_STORE=redis needs REDIS_URL';
  // rate-limiter-flexible speaks the pg driver's protocol; PGlite is one process anyway, where memory is exact.
  if (store === 'postgres' && !s.DATABASE_URL) return 'RATE_LIMIT_STORE=postgres needs DATABASE_URL';
  if (s.TOKEN_ISSUER === s.JWT_ISSUER) {
    return "TOKEN_ISSUER and JWT_ISSUER must differ: the service's own tokens and an identity provider's are told apart by it";
  }
  return undefined;
}

/** The settings as the rest of the service uses them, grouped. */
function configOf(s: Settings) {
  return {
    env: s.NODE_ENV,
    port: s.PORT,
    /** WEB_CONCURRENCY: worker processes sharing the port (1: no cluster). */
    workers: s.WEB_CONCURRENCY,
    host: s.HOST,
    /** Where clients reach the service, named in the served contract's `servers` (else the request's origin). */
    publicUrl: s.PUBLIC_URL,
    /** Set: a PostgreSQL server through a `pg` pool. Unset: embedded PGlite in `dataDir`. */
    databaseUrl: s.DATABASE_URL,
    /** PostgreSQL schema holding the tables (tests use a fresh one per run). */
    databaseSchema: s.DATABASE_SCHEMA,
    dataDir: path.resolve(PROJECT_ROOT, s.DATA_DIR),
    db: {
      poolMax: s.DB_POOL_MAX,
      connectTimeoutMs: s.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: s.DB_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: s.DB_ACQUIRE_TIMEOUT_MS,
      /** Row Level Security on tasks (off by default: what it costs is in the README). */
      rowLevelSecurity: s.DB_ROW_LEVEL_SECURITY,
      /** Named (prepared) statements on a PostgreSQL server (src/db/statements.ts). */
      preparedStatements: s.DB_PREPARED_STATEMENTS === 'on',
    },
    jwt: {
      /** Undefined in development means: generate one and keep it in dataDir. */
      secret: s.JWT_SECRET,
      /** `iss` and `aud` of the tokens this service issues for its own accounts. */
      ownIssuer: s.TOKEN_ISSUER,
      /** What an identity provider's tokens must carry (never this service's own). */
      issuer: s.JWT_ISSUER,
      audience: s.JWT_AUDIENCE,
      ttlSeconds: s.JWT_TTL,
      jwksUrl: s.JWT_JWKS_URL,
      jwksTimeoutMs: s.JWT_JWKS_TIMEOUT_MS,
    },
    bcryptCost: s.BCRYPT_COST,
    rateLimits: {
      /** Failed logins per email; null disables. */
      loginPerEmail: s.LOGIN_RATE_LIMIT,
      loginPerIp: s.LOGIN_IP_RATE_LIMIT,
      registerPerIp: s.REGISTER_RATE_LIMIT,
      // Several workers need one shared count: memory would give each worker its own limit.
      store: s.RATE_LIMIT_STORE ?? (s.WEB_CONCURRENCY > 1 ? 'postgres' : 'memory'),
      redisUrl: s.REDIS_URL,
    },
    /** Take the client IP from X-Forwarded-For, that many entries from the right. */
    trustProxy: s.TRUST_PROXY,
    trustProxyHops: s.TRUST_PROXY_HOPS,
    logLevel: s.LOG_LEVEL ?? (s.NODE_ENV === 'test' ? 'silent' : 'info'),
    logFormat: s.LOG_FORMAT,
    corsOrigins: s.CORS_ORIGINS ?? [],
    bodyLimitBytes: s.BODY_LIMIT,
    crossUserTaskStatus: s.CROSS_USER_TASK_STATUS,
    provisionUsers: s.AUTH_PROVISION_USERS,
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    http: {
      headersTimeoutMs: s.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: s.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: s.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
  };
}

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

export type Config = DeepReadonly<ReturnType<typeof configOf>>;
export type NodeEnv = Config['env'];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Reads `env` (process.env by default) into the frozen Config, or throws a ConfigError naming what is wrong. */
export function loadConfig(env: Env = process.env): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue.path[0])} ${issue.message}`);
  }
  const problem = crossSettingProblem(parsed.data);
  if (problem) throw new ConfigError(problem);
  return deepFreeze(configOf(parsed.data));
}
