import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../core/config';

/**
 * The Redis connection for the rate-limit counts (RATE_LIMIT_STORE=redis), or undefined. It waits
 * (a few seconds at most) for Redis to answer; until it does, the throttled routes answer 503.
 */
export async function rateLimitRedis(config: Config, log: Logger): Promise<Redis | undefined> {
  if (config.rateLimits.store !== 'redis') return undefined;
  // No offline queue: with Redis down, a throttled route fails fast instead of piling up.
  const redis = new Redis(config.rateLimits.redisUrl!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const ready = new Promise<boolean>((resolve) => {
    redis.once('ready', () => resolve(true));
    setTimeout(() => resolve(false), 5000).unref();
  });
  redis.on('error', (err) => log.warn({ event: 'redis.error', err: err.message }));
  if (!(await ready)) log.warn({ event: 'redis.unavailable' }, 'Redis is not answering yet; sign-in answers 503 until it does');
  return redis;
}
