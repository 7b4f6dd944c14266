import type { Context as KoaContext } from 'koa';
import type { Context } from 'openapi-backend';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { InvalidToken } from '../http/errors';
import { VerifiedTokenCache } from '../auth/token-cache';
import { bearerToken, LOCAL_ACCOUNT_CLAIM, TokenRejected, verifyToken, type TokenSettings } from '../auth/tokens';
import type { UserService } from '../services/users';

export interface Caller {
  userId: string;
}

/**
 * openapi-backend's handler for the `bearerAuth` scheme: verifies the token, checks that its
 * user exists (so a deleted account is locked out at once), and returns the caller, which
 * handlers read from the context. A throw here reaches the unauthorizedHandler.
 */
export function bearerAuth(config: Config, tokens: TokenSettings, users: UserService, log: Logger) {
  const verifiedTokens = new VerifiedTokenCache();

  async function authenticate(c: Context): Promise<Caller> {
    const header = c.request.headers.authorization;
    const token = bearerToken(Array.isArray(header) ? header[0] : header);
    let verified = verifiedTokens.get(token);
    if (!verified) {
      verified = await verifyToken(token, tokens);
      verifiedTokens.set(token, verified);
    }
    if (!(await users.exists(verified.userId))) {
      // Development tokens from `npm run dev:token` ask for their user to be created on first use.
      // An account of this service that no longer exists was deleted: it never comes back.
      const ownAccount = verified.claims[LOCAL_ACCOUNT_CLAIM] === true;
      const devProvision = config.env !== 'production' && verified.claims.dev_provision === true;
      if (ownAccount || (!config.provisionUsers && !devProvision)) throw new TokenRejected('unknown_user', InvalidToken());
      await users.provision(verified.userId, verified.email);
    }
    return { userId: verified.userId };
  }

  return async (c: Context, ctx: KoaContext): Promise<Caller> => {
    try {
      const caller = await authenticate(c);
      ctx.state.userId = caller.userId;
      return caller;
    } catch (err) {
      if (!(err instanceof TokenRejected)) throw err;
      log.info({ event: 'auth.token_rejected', reason: err.reason, request_id: ctx.state.requestId });
      throw err.problem;
    }
  };
}
