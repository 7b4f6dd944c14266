import path from 'node:path';

// The only module that reads the environment. Everything else receives a Config.

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  readonly env: NodeEnv;
  readonly port: number;
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
  };
  readonly jwt: {
    /** Undefined in development means: generate one and keep it in dataDir. */
    readonly secret: string | undefined;
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
  };
  readonly logLevel: string;
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly crossUserTaskStatus: 403 | 404;
  readonly provisionUsers: boolean;
  readonly shutdownTimeoutMs: number;
}

export class ConfigError extends Error {}

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

function byteSize(env: Env, key: string, fallback: string): number {
  try {
    return parseByteSize(str(env, key) ?? fallback);
  } catch (err) {
    throw new ConfigError(`${key}: ${(err as Error).message}`);
  }
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = (str(env, 'NODE_ENV') ?? 'development') as NodeEnv;
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${nodeEnv}"`);
  }
  const secret = str(env, 'JWT_SECRET');
  if (nodeEnv === 'production' && (secret === undefined || Buffer.byteLength(secret) < 32)) {
    throw new ConfigError('JWT_SECRET must be set to at least 32 bytes when NODE_ENV=production');
  }
  const crossUser = int(env, 'CROSS_USER_TASK_STATUS', 404, 403, 404);
  if (crossUser !== 403 && crossUser !== 404) throw new ConfigError('CROSS_USER_TASK_STATUS must be 403 or 404');
  const schema = str(env, 'DATABASE_SCHEMA') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError(`DATABASE_SCHEMA is not a plain identifier: "${schema}"`);

  return Object.freeze({
    env: nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: str(env, 'DATABASE_URL'),
    databaseSchema: schema,
    dataDir: path.resolve(str(env, 'DATA_DIR') ?? './data'),
    db: Object.freeze({
      poolMax: int(env, 'DB_POOL_MAX', 10, 1, 1000),
      connectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
      acquireTimeoutMs: int(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 100, 600_000),
    }),
    jwt: Object.freeze({
      secret,
      issuer: str(env, 'JWT_ISSUER'),
      audience: str(env, 'JWT_AUDIENCE'),
    }),
    logLevel: str(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    corsOrigins: Object.freeze((str(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean)),
    bodyLimitBytes: byteSize(env, 'BODY_LIMIT', '64kb'),
    crossUserTaskStatus: crossUser,
    provisionUsers: bool(env, 'AUTH_PROVISION_USERS', false),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  });
}
