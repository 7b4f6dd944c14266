import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors';
import type { Logger } from 'pino';
import { User } from '../models/User';

export function userService({ knex, log }: { knex: Knex; log: Logger }) {
  return {
    exists(userId: string): Promise<boolean> {
      return User.existsById(userId, knex);
    },

    /** Creates the user row for a trusted token's subject on first use; a no-op when it exists. */
    async provision(userId: string, email: string | undefined): Promise<void> {
      const insert = (address: string | null) =>
        knex('users').insert({ id: userId, email: address }).onConflict('id').ignore().returning('id');
      let inserted: unknown[];
      try {
        inserted = await insert(email?.trim().toLowerCase() || null);
      } catch (err) {
        // The address already belongs to another account: the subject still gets its row.
        if (!isUniqueViolation(err)) throw err;
        inserted = await insert(null);
      }
      if (inserted.length > 0) log.info({ event: 'auth.user_provisioned', user_id: userId });
    },
  };
}

export type UserService = ReturnType<typeof userService>;
