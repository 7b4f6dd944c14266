import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { describeDatabaseError, permanentReason } from './errors';

/** One round trip to the database (readiness, and the start-up wait). */
export const ping = async (knex: Knex): Promise<void> => {
  await knex.raw('select 1');
};

/** The database can never be used as configured (it does not exist, the password is wrong…). */
export class DatabaseUnusable extends Error {}

/**
 * Start-up waits for the database instead of crashing: exponential backoff (capped), one log
 * line per attempt, for errors that time may cure (it is down, starting, out of connections).
 * An error that waiting will not cure ends the wait at once (DatabaseUnusable); so does
 * `maxWaitMs` without an answer.
 */
export async function waitForDatabase(knex: Knex, log: Logger, maxWaitMs = 120_000): Promise<void> {
  const started = Date.now();
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    try {
      await ping(knex);
      if (attempt > 1) log.info({ event: 'db.connected', attempt }, 'database is up');
      return;
    } catch (err) {
      const why = describeDatabaseError(err);
      const permanent = permanentReason(err);
      if (permanent) throw new DatabaseUnusable(`cannot use the database: ${permanent}: ${why}. Check DATABASE_URL.`);
      const waited = Date.now() - started;
      if (waited + delay > maxWaitMs) throw new DatabaseUnusable(`the database did not answer for ${Math.round(waited / 1000)} s: ${why}`);
      log.warn({ event: 'db.unavailable', attempt, retry_in_ms: delay, err: why }, 'database not reachable yet, retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
