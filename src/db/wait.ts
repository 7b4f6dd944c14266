import type { Knex } from 'knex';
import type { Logger } from 'pino';

/**
 * Start-up waits for the database instead of crashing: exponential backoff (capped), one log
 * line per attempt. Gives up only after `maxWaitMs`.
 */
export async function waitForDatabase(knex: Knex, log: Logger, maxWaitMs = 120_000): Promise<void> {
  const started = Date.now();
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    try {
      await knex.raw('select 1');
      if (attempt > 1) log.info({ event: 'db.connected', attempt }, 'database is up');
      return;
    } catch (err) {
      const waited = Date.now() - started;
      if (waited + delay > maxWaitMs) throw err;
      log.warn({ event: 'db.unavailable', attempt, retry_in_ms: delay, err: (err as Error).message }, 'database not reachable yet, retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
