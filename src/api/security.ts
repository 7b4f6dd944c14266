import type { Context as KoaContext } from 'koa';
import type { Context } from 'openapi-backend';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { VerifiedTokenCache } from '../auth/token-cache';
import { bearerToken, LOCAL_ACCOUNT_CLAIM, TokenRejected, verifyToken, type TokenSettings } from '../auth/tokens';
import type { UserService } from '../services/users';

export interface Caller {
  userId: string;
}

/**
 * openapi-backend's handler for the `bearerAuth` scheme: verifies the token (signature, claims)
 * and returns the caller, which handlers read from the context. A throw here reaches the
 * unauthorizedHandler.
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
    // Whether the user still exists is checked where the request first reaches the database
    // (src/services); only a token whose user may be created on first use is looked up here.
    // An account of this service that no longer exists was deleted: it never comes back.
    const ownAccount = verified.claims[LOCAL_ACCOUNT_CLAIM] === true;
    const devProvision = config.env !== 'production' && verified.claims.dev_provision === true;
    if (!ownAccount && (config.provisionUsers || devProvision) && !(await users.exists(verified.userId))) {
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
