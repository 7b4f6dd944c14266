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
import type { Config, RateLimit } from '../core/config';
import { ThrottleUnavailable, TooManyRequests } from '../core/errors';

// Brute-force brakes on the account routes (rate-limiter-flexible): failed logins per email and
// per client IP, registrations per IP. Every attempt is counted before it is judged (a success
// then gives its point back), so the limits hold however many attempts arrive at once. In memory by default (per process); PostgreSQL or Redis
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

  /**
   * Spends one of the key's points, or answers 429 when they are used up. An attempt is counted
   * before it is judged, so attempts in flight at the same time cannot all pass the check first.
   */
  async function take(rl: RateLimiterAbstract | null, key: string) {
    if (!rl) return;
    try {
      await store(() => rl.consume(key));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw TooManyRequests(err.msBeforeNext / 1000);
      throw err;
    }
  }

  /** Gives back a point spent on an attempt that turned out not to count. */
  async function giveBack(rl: RateLimiterAbstract | null, key: string) {
    if (rl) await store(() => rl.reward(key, 1));
  }

  return {
    /**
     * Counts a login attempt against its email and its client address before the password is
     * checked; 429 when either has used up its attempts.
     */
    async beforeLogin(email: string, ip: string) {
      await take(loginEmail, emailKey(email));
      try {
        await take(loginIp, ip);
      } catch (err) {
        await giveBack(loginEmail, emailKey(email)); // refused before being tried: not an attempt on the email
        throw err;
      }
    },
    /** A login that succeeded was not a failure: the email's count starts again, the address gets its point back. */
    async loginSucceeded(email: string, ip: string) {
      if (loginEmail) await store(() => loginEmail.delete(emailKey(email)));
      await giveBack(loginIp, ip);
    },
    async beforeRegister(ip: string) {
      await take(registerIp, ip);
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
