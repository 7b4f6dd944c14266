import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { User, type Provisioned } from '../models/User';

// The accounts behind tokens: whether one exists, whether it is registered here, and making the
// one a trusted provider's token stands for on its first use.

export function userService({ knex, log }: { knex: Knex; log: Logger }) {
  return {
    exists: (userId: string) => User.existsById(userId, knex),

    /** Whether the account is registered here (true), known from a provider's tokens (false), or none (undefined). */
    isLocal: (userId: string) => User.isLocal(knex, userId),

    /** Creates the user row for a trusted token's subject on first use (see User.provision). */
    async provision(userId: string, email: string | undefined, issuedAt: number | undefined): Promise<Provisioned> {
      const outcome = await User.provision(knex, { id: userId, email, issuedAt });
      if (outcome === 'created') log.info({ event: 'auth.user_provisioned', user_id: userId });
      return outcome;
    },
  };
}

export type UserService = ReturnType<typeof userService>;
