import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors';
import type { Logger } from 'pino';
import { User } from '../models/User';

/** Undoes a provisioning whose account was deleted after its token was issued. */
class StillDeleted extends Error {}

/** What provisioning a token's subject came to. */
export type Provisioned = 'created' | 'exists' | 'deleted';

export function userService({ knex, log }: { knex: Knex; log: Logger }) {
  return {
    exists(userId: string): Promise<boolean> {
      return User.existsById(userId, knex);
    },

    /** Whether the account is one registered here (true), known from a provider's tokens (false), or none (undefined). */
    async isLocal(userId: string): Promise<boolean | undefined> {
      const user = await User.query(knex).select('local').findById(userId);
      return user?.local;
    },

    /**
     * Creates the user row for a trusted token's subject on first use; a no-op when it exists.
     * An account deleted after the token was issued (`issuedAt`, seconds; unknown counts as
     * before) stays deleted: 'deleted', and nothing is created. The row is inserted first and the
     * deletion looked up after, in one transaction, so a deletion committed meanwhile is seen.
     */
    async provision(userId: string, email: string | undefined, issuedAt: number | undefined): Promise<Provisioned> {
      try {
        return await knex.transaction(async (trx) => {
          const insert = (db: Knex, address: string | null) =>
            db('users').insert({ id: userId, email: address }).onConflict('id').ignore().returning('id') as Promise<unknown[]>;
          let inserted: unknown[];
          try {
            inserted = await trx.transaction((savepoint) => insert(savepoint, email ?? null));
          } catch (err) {
            // The address already belongs to another account: the subject still gets its row.
            if (!isUniqueViolation(err)) throw err;
            inserted = await insert(trx, null);
          }
          if (inserted.length === 0) return 'exists';
          const deleted = await trx('deleted_users').where({ id: userId }).first('deleted_at');
          if (deleted && (issuedAt === undefined || issuedAt * 1000 <= (deleted.deleted_at as Date).getTime())) throw new StillDeleted();
          log.info({ event: 'auth.user_provisioned', user_id: userId });
          return 'created' as const;
        });
      } catch (err) {
        if (err instanceof StillDeleted) return 'deleted';
        throw err;
      }
    },
  };
}

export type UserService = ReturnType<typeof userService>;
