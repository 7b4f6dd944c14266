import type { AppContext } from '../core/app-state';
import type { Context } from 'openapi-backend';
import type { Logger } from 'pino';
import type { Config } from '../core/config';
import { VerifiedTokenCache } from '../auth/token-cache';
import { bearerToken, TokenRejected, verifyToken, type TokenSettings } from '../auth/tokens';
import { InvalidToken } from '../core/errors';
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
      // An identity provider's token never acts for an account registered here, whatever its
      // subject says. Asked once per token (the cache keeps the verdict): an id never changes sides.
      if (verified.kind === 'external' && (await users.isLocal(verified.userId)) === true) {
        throw new TokenRejected('local_account', InvalidToken());
      }
      verifiedTokens.set(token, verified);
    }
    // Whether the user still exists is checked where the request first reaches the database
    // (src/services); only a token whose user may be created on first use is looked up here.
    // An account of this service that no longer exists was deleted: it never comes back, and
    // neither does a provider's account deleted after the token was issued.
    const devProvision = config.env !== 'production' && verified.claims.dev_provision === true;
    if (verified.kind === 'external' && (config.provisionUsers || devProvision) && !(await users.exists(verified.userId))) {
      const issuedAt = typeof verified.claims.iat === 'number' ? verified.claims.iat : undefined;
      if ((await users.provision(verified.userId, verified.email, issuedAt)) === 'deleted') {
        throw new TokenRejected('unknown_user', InvalidToken());
      }
    }
    return { userId: verified.userId };
  }

  return async (c: Context, ctx: AppContext): Promise<Caller> => {
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
