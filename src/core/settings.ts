import { z } from 'zod';

// Every environment variable the service reads, once: its type and limits (a zod schema), its
// default, and what it means. src/core/config.ts parses the environment with these and builds the
// typed Config from the result; scripts/config-docs.ts writes the README's table and .env.example
// from them (and CI fails when those differ from what it would write).

/** What a setting's text turns into; `undefined` in, when the variable is unset or blank. */
type Schema<T> = z.ZodType<T, string | undefined>;

export interface Setting<T = unknown> {
  schema: Schema<T>;
  /** The default, as a person would write it (also the value .env.example shows). */
  default?: string;
  /** The default when it depends on other settings, in words for the README. */
  defaultInWords?: string;
  /** A value to show in .env.example when there is no default. */
  example?: string;
  /** What it means, for the README (Markdown). */
  doc: string;
}

const setting = <T>(schema: Schema<T>, meta: Omit<Setting<T>, 'schema'>): Setting<T> => ({ schema, ...meta });

// ---------------------------------------------------------------------------------------------
// Value types, each with the message a person needs when the value is wrong
// ---------------------------------------------------------------------------------------------

const text = z.string();
const optionalText = text.optional();

/** A whole number from `min` to `max`. */
export const int = (min: number, max: number) =>
  text
    .regex(/^\d+$/, { error: (issue) => `must be a whole number, got "${String(issue.input)}"` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: (issue) => `must be between ${min} and ${max}, got ${String(issue.input)}` });

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];
export const bool = text
  .transform((raw) => raw.toLowerCase())
  .refine((raw) => TRUE.includes(raw) || FALSE.includes(raw), { error: (issue) => `must be true or false, got "${String(issue.input)}"` })
  .transform((raw) => TRUE.includes(raw));

/** One of `values`, case-insensitively. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  text.transform((raw) => raw.toLowerCase()).pipe(z.enum(values, { error: (issue) => `must be one of ${values.join(', ')}, got "${String(issue.input)}"` }));

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "3600", "90s", "15m", "1h", "7d" → seconds, or undefined when it is none of those. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(raw.trim());
  if (!match || Number(match[1]) === 0) return undefined;
  return Number(match[1]) * DURATION_UNITS[(match[2] || 's').toLowerCase()];
}

export const duration = text.transform((raw, ctx) => parseDuration(raw) ?? (ctx.addIssue(`is not a duration: "${raw}" (try 3600, 15m or 1h)`), z.NEVER));

export interface RateLimit {
  readonly points: number;
  readonly durationSeconds: number;
}

/** "10/15m" → 10 attempts per 15 minutes; "0" → disabled (null); undefined when it is neither. */
export function parseRateLimit(raw: string): RateLimit | null | undefined {
  if (raw.trim() === '0') return null;
  const match = /^(\d+)\s*\/\s*(.+)$/.exec(raw.trim());
  const seconds = match ? parseDuration(match[2]) : undefined;
  if (!match || Number(match[1]) === 0 || seconds === undefined) return undefined;
  return { points: Number(match[1]), durationSeconds: seconds };
}

export const rateLimit = text.transform((raw, ctx) => {
  const limit = parseRateLimit(raw);
  if (limit === undefined) {
    ctx.addIssue(`is not a rate limit: "${raw}" (try 10/15m, or 0 to disable)`);
    return z.NEVER;
  }
  return limit;
});

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 };

/** "65536", "64kb", "1mb" → bytes, or undefined. */
export function parseByteSize(raw: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = match?.[2].toLowerCase() || 'b';
  return match && unit in BYTE_UNITS ? Number(match[1]) * BYTE_UNITS[unit] : undefined;
}

export const byteSize = text.transform((raw, ctx) => parseByteSize(raw) ?? (ctx.addIssue(`is not a byte size: "${raw}" (try 65536 or 64kb)`), z.NEVER));

/** A URL (any scheme). */
const url = text.refine(
  (raw) => {
    try {
      new URL(raw);
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `must be a URL, got "${String(issue.input)}"`, abort: true },
);

/** A postgres:// or postgresql:// connection string (never echoed: it may hold a password). */
const databaseUrl = text.refine(
  (raw) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  },
  { error: 'must be a connection string like postgres://user:password@host:5432/database' },
);

/** An http(s) URL without query, fragment or credentials, kept without its trailing slash. */
const publicUrl = url
  .refine(
    (raw) => {
      const parsed = new URL(raw);
      return ['http:', 'https:'].includes(parsed.protocol) && !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
    },
    { error: (issue) => `must be an http(s) URL without query, fragment or credentials, got "${String(issue.input)}"` },
  )
  .transform((raw) => raw.replace(/\/+$/, ''));

const schemaName = text.regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: (issue) => `is not a plain identifier: "${String(issue.input)}"` });

const origins = text.transform((raw) => raw.split(',').map((o) => o.trim()).filter(Boolean));

// ---------------------------------------------------------------------------------------------
// The settings, in the order the README lists them
// ---------------------------------------------------------------------------------------------

export const SETTINGS = {
  PORT: setting(int(0, 65535), { default: '3000', doc: 'HTTP port' }),
  HOST: setting(text, { default: '0.0.0.0', doc: 'interface to listen on' }),
  PUBLIC_URL: setting(publicUrl.optional(), {
    example: 'https://tasks.example.org',
    doc: "where clients reach the service (e.g. `https://tasks.example.org`), named in the served contract's `servers`; unset, each copy names the origin its request came in on and is `Cache-Control: private`",
  }),
  WEB_CONCURRENCY: setting(int(1, 64), {
    default: '1',
    doc: "worker processes sharing the port (Node's cluster module; e.g. `$(nproc)`); needs `DATABASE_URL`, and each worker has its own pool of `DB_POOL_MAX` (see [docs/scaling.md](docs/scaling.md))",
  }),
  NODE_ENV: setting(oneOf(['development', 'production', 'test']), {
    default: 'development',
    doc: '`production` requires a strong `JWT_SECRET` (≥ 32 bytes, not a placeholder, not repetitive or low in randomness: make one with `openssl rand -base64 48`) and disables dev tokens',
  }),
  DATABASE_URL: setting(databaseUrl.optional(), {
    example: 'postgres://postgres@127.0.0.1:5432/test',
    doc: 'PostgreSQL connection string (e.g. `postgres://user:pass@host:5432/db?sslmode=require`); unset = embedded PGlite',
  }),
  DATABASE_SCHEMA: setting(schemaName, { default: 'public', doc: 'schema holding the tables' }),
  DATA_DIR: setting(text, {
    default: './data',
    doc: "PGlite's files and the generated development JWT secret; a relative path is taken from the project's folder (where package.json is), wherever the service is started from",
  }),
  DB_POOL_MAX: setting(int(1, 1000), { default: '10', doc: 'pg pool size (PGlite always has one connection)' }),
  DB_CONNECT_TIMEOUT_MS: setting(int(100, 600_000), { default: '5000', doc: 'connecting to PostgreSQL gives up after this' }),
  DB_STATEMENT_TIMEOUT_MS: setting(int(100, 600_000), { default: '5000', doc: "PostgreSQL `statement_timeout` for the service's queries" }),
  DB_ACQUIRE_TIMEOUT_MS: setting(int(100, 600_000), { default: '5000', doc: 'waiting for a free pool connection gives up after this (503)' }),
  DB_ROW_LEVEL_SECURITY: setting(oneOf(['off', 'on', 'auto']), {
    default: 'off',
    doc: "`on`: PostgreSQL Row Level Security guards `tasks` too (see *Guarantees*); `auto`: on when the database lets the service take the policy's role",
  }),
  DB_PREPARED_STATEMENTS: setting(oneOf(['on', 'off']), {
    default: 'on',
    doc: '`on`: the busiest statements run as named (prepared) statements on a PostgreSQL server, parsed and planned once per connection; `off` behind a pooler in transaction mode that cannot carry them (PgBouncer before 1.21)',
  }),
  HTTP_HEADERS_TIMEOUT_MS: setting(int(100, 600_000), { default: '10000', doc: 'a client must send its headers within this (slowloris)' }),
  HTTP_REQUEST_TIMEOUT_MS: setting(int(100, 600_000), { default: '30000', doc: 'a whole request must arrive within this' }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: setting(int(100, 600_000), { default: '5000', doc: 'idle keep-alive connections are closed after this' }),
  JWT_SECRET: setting(optionalText, {
    defaultInWords: 'generated in development',
    example: 'make-one-with-openssl-rand-base64-48',
    doc: 'HS256 secret shared with your identity provider; when unset outside production a random one is generated once into `DATA_DIR/jwt-secret`',
  }),
  JWT_ISSUER: setting(optionalText, {
    example: 'https://auth.example.org',
    doc: "when set, an identity provider's tokens must carry this `iss` (the service's own tokens carry `TOKEN_ISSUER`)",
  }),
  JWT_AUDIENCE: setting(optionalText, { example: 'task-api', doc: "when set, an identity provider's tokens must carry this `aud`" }),
  TOKEN_ISSUER: setting(text.max(255, { error: 'must be at most 255 characters' }), {
    default: 'task-api',
    doc: '`iss` and `aud` of the tokens `/auth/register` and `/auth/login` issue; must differ from `JWT_ISSUER`',
  }),
  JWT_TTL: setting(duration, { default: '1h', doc: 'lifetime of the tokens `/auth/register` and `/auth/login` issue (`3600`, `15m`, `1h`…)' }),
  JWT_JWKS_URL: setting(url.optional(), {
    example: 'https://app.example.org/api/auth/jwks',
    doc: "an identity provider's JWKS endpoint: RS256, ES256 and EdDSA tokens are verified with its keys (cached)",
  }),
  JWT_JWKS_TIMEOUT_MS: setting(int(100, 60_000), { default: '5000', doc: 'fetching the JWKS gives up after this; the request then answers 503' }),
  BCRYPT_COST: setting(int(4, 31), { default: '12', doc: 'bcrypt work factor for new passwords (4–31)' }),
  LOGIN_RATE_LIMIT: setting(rateLimit, {
    default: '10/15m',
    doc: 'failed logins allowed per email per window, then 429 (`0` disables); every attempt is counted before its password is checked (a success gives its point back), so parallel attempts cannot get past the limit',
  }),
  LOGIN_IP_RATE_LIMIT: setting(rateLimit, { default: '100/15m', doc: 'failed logins allowed per client IP per window (`0` disables), counted the same way' }),
  REGISTER_RATE_LIMIT: setting(rateLimit, { default: '20/1h', doc: 'registrations allowed per client IP per window (`0` disables)' }),
  RATE_LIMIT_STORE: setting(oneOf(['memory', 'postgres', 'redis']).optional(), {
    defaultInWords: '`memory` (`postgres` with `WEB_CONCURRENCY` > 1)',
    example: 'memory',
    doc: 'where the counts live: `memory` (per process, so refused with several workers), `redis` (needs `REDIS_URL`) or `postgres` (needs `DATABASE_URL`); use a shared one with several instances',
  }),
  REDIS_URL: setting(url.optional(), { example: 'redis://127.0.0.1:6379', doc: 'e.g. `redis://127.0.0.1:6379`, for `RATE_LIMIT_STORE=redis`' }),
  TRUST_PROXY: setting(bool, { default: 'false', doc: 'take the client IP from `X-Forwarded-For` (only behind a proxy you trust)' }),
  TRUST_PROXY_HOPS: setting(int(1, 16), {
    default: '1',
    doc: 'how many trusted proxies append to `X-Forwarded-For`: the client IP is that many entries from the right (what the outermost proxy saw); entries further left come from the client and are ignored',
  }),
  AUTH_PROVISION_USERS: setting(bool, {
    default: 'false',
    doc: '`true` creates the user row on the first request of a valid token whose user does not exist yet (else 401); an account deleted with `DELETE /auth/me` is never made again by a token issued before the deletion',
  }),
  CROSS_USER_TASK_STATUS: setting(int(403, 404).transform((status) => status as 403 | 404), {
    default: '404',
    doc: "`403` answers 403 instead of 404 for another user's existing task",
  }),
  BODY_LIMIT: setting(byteSize, { default: '64kb', doc: 'largest accepted request body (bytes, or with `kb`/`mb`)' }),
  CORS_ORIGINS: setting(origins.optional(), { example: 'https://app.example.org', doc: 'comma-separated origins allowed for CORS (none by default)' }),
  LOG_LEVEL: setting(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(), {
    defaultInWords: '`info` (`silent` when `NODE_ENV=test`)',
    example: 'info',
    doc: 'pino level',
  }),
  LOG_FORMAT: setting(oneOf(['auto', 'json', 'pretty']), {
    default: 'auto',
    doc: '`auto`: readable lines (pino-pretty) on a terminal outside production, JSON lines otherwise; `json` or `pretty` to choose',
  }),
  SHUTDOWN_TIMEOUT_MS: setting(int(0, 600_000), {
    default: '10000',
    doc: 'on SIGTERM (or SIGINT) the service stops accepting connections, finishes the requests in flight, answers any later request on an open connection with `Connection: close` and closes connections quiet for a second; it exits 0 when the last is gone, or 1 after this long',
  }),
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
