import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config, RateLimit } from '../config';
import { ThrottleUnavailable, TooManyRequests } from '../http/errors';

// Brute-force brakes on the account routes (rate-limiter-flexible): failed logins per email and
// per client IP, registrations per IP. In memory by default (per process); PostgreSQL or Redis
// share the counts between instances.

export interface ThrottleStores {
  knex: Knex;
  redis?: Redis;
}

function limiter(config: Config, stores: ThrottleStores, prefix: string, limit: RateLimit | null): RateLimiterAbstract | null {
  if (limit === null) return null;
  const options = { keyPrefix: prefix, points: limit.points, duration: limit.durationSeconds };
  switch (config.rateLimits.store) {
    case 'redis':
      return new RateLimiterRedis({ ...options, storeClient: stores.redis });
    case 'postgres':
      // The table comes from our migrations; the limiter must not try to create it itself.
      return new RateLimiterPostgres({ ...options, storeClient: stores.knex, storeType: 'knex', tableName: 'rate_limits', tableCreated: true });
    default:
      return new RateLimiterMemory(options);
  }
}

/** A key that never holds an address in the clear (the stores are not where personal data goes). */
export const emailKey = (email: string) => crypto.createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 32);

export function createThrottle(config: Config, stores: ThrottleStores) {
  const loginEmail = limiter(config, stores, 'login_email', config.rateLimits.loginPerEmail);
  const loginIp = limiter(config, stores, 'login_ip', config.rateLimits.loginPerIp);
  const registerIp = limiter(config, stores, 'register_ip', config.rateLimits.registerPerIp);

  /** A store that cannot be reached fails closed: no unthrottled logins while Redis is away. */
  async function store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (err instanceof RateLimiterRes) throw err;
      throw ThrottleUnavailable(err);
    }
  }

  /** 429 when the key has used up its points (without spending one). */
  async function assertUnderLimit(rl: RateLimiterAbstract | null, key: string) {
    if (!rl) return;
    const res = await store(() => rl.get(key));
    if (res !== null && res.consumedPoints >= rl.points) throw TooManyRequests(res.msBeforeNext / 1000);
  }

  /** Spends a point; a rejection (already over) is not an error here. */
  async function spend(rl: RateLimiterAbstract | null, key: string) {
    if (!rl) return;
    try {
      await store(() => rl.consume(key));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  }

  return {
    async beforeLogin(email: string, ip: string) {
      await assertUnderLimit(loginEmail, emailKey(email));
      await assertUnderLimit(loginIp, ip);
    },
    async loginFailed(email: string, ip: string) {
      await Promise.all([spend(loginEmail, emailKey(email)), spend(loginIp, ip)]);
    },
    async loginSucceeded(email: string) {
      if (loginEmail) await store(() => loginEmail.delete(emailKey(email)));
    },
    async beforeRegister(ip: string) {
      if (!registerIp) return;
      try {
        await store(() => registerIp.consume(ip));
      } catch (err) {
        if (err instanceof RateLimiterRes) throw TooManyRequests(err.msBeforeNext / 1000);
        throw err;
      }
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
