import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/errors';
import type { Logger } from 'pino';
import { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from '../auth/passwords';
import type { Throttle } from '../auth/throttle';
import { emailKey } from '../auth/throttle';
import { issueToken, type TokenSettings } from '../auth/tokens';
import { EmailTaken, InvalidField, InvalidToken, LoginFailed } from '../core/errors';
import { User, type PublicUser } from '../models/User';

// Accounts: register, log in, look yourself up, leave. Passwords are hashed with bcrypt and
// never stored, logged or returned; nothing a client sees says whether an email is registered
// (except the 409 of a registration, which cannot be avoided).

export interface AccountDeps {
  knex: Knex;
  log: Logger;
  tokens: TokenSettings;
  throttle: Throttle;
  bcryptCost: number;
}

/** Trimmed and lower-cased (the contract's pattern has checked its shape), at most 254 characters. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254) throw InvalidField('/email', 'maxLength', 'must NOT have more than 254 characters');
  return email;
}

/** 8–72 bytes of UTF-8 and not the email itself; bcrypt would silently cut a longer one. */
export function checkPassword(password: string, email: string): void {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw InvalidField('/password', 'maxLength', `must NOT be longer than ${MAX_PASSWORD_BYTES} bytes of UTF-8`);
  }
  if (password.trim().toLowerCase() === email) throw InvalidField('/password', 'not_email', 'must not be the email address');
}

/** What a client may see of an account (never its password hash). */
const publicUser = ({ id, email, created_at }: PublicUser): PublicUser => ({ id, email, created_at });

export function accountService({ knex, log, tokens, throttle, bcryptCost }: AccountDeps) {
  async function session(user: PublicUser) {
    const { token, expiresIn } = await issueToken(user.id, tokens);
    return { user, access_token: token, token_type: 'bearer' as const, expires_in: expiresIn };
  }

  return {
    async register(input: { email: string; password: string }, ip: string) {
      const email = normalizeEmail(input.email);
      checkPassword(input.password, email);
      await throttle.beforeRegister(ip);
      const password_hash = await hashPassword(input.password, bcryptCost);
      let user: PublicUser;
      try {
        user = await User.insertLocal(knex, { id: crypto.randomUUID(), email, password_hash });
      } catch (err) {
        if (isUniqueViolation(err)) throw EmailTaken();
        throw err;
      }
      log.info({ event: 'auth.registered', user_id: user.id });
      return session(user);
    },

    async login(input: { email: string; password: string }, ip: string) {
      const email = input.email.trim().toLowerCase();
      const subject = { email_key: emailKey(email), ip };
      try {
        await throttle.beforeLogin(email, ip);
      } catch (err) {
        log.warn({ event: 'auth.login_throttled', ...subject });
        throw err;
      }
      const user = await User.findByEmail(knex, email);
      const ok = await verifyPassword(input.password, user?.password_hash ?? null, bcryptCost);
      if (!user || !ok) {
        const reason = !user ? 'unknown_email' : user.password_hash === null ? 'no_password' : 'wrong_password';
        log.info({ event: 'auth.login_failed', reason, ...subject });
        throw LoginFailed();
      }
      await throttle.loginSucceeded(email, ip);
      log.info({ event: 'auth.login', user_id: user.id });
      return session(publicUser(user));
    },

    async me(userId: string): Promise<PublicUser> {
      const user = await User.findPublic(knex, userId);
      // Deleted between authentication and now: the token no longer stands for anyone.
      if (!user) throw InvalidToken();
      return user;
    },

    /**
     * Deletes the account; its tasks go with it (ON DELETE CASCADE). When it was deleted is kept,
     * in the same transaction, so no token issued before then can provision it again.
     */
    async deleteAccount(userId: string): Promise<void> {
      const deleted = await User.deleteRecorded(knex, userId);
      if (!deleted) throw InvalidToken();
      log.info({ event: 'auth.account_deleted', user_id: userId });
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
