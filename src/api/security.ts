import type { Context as KoaContext } from 'koa';
import type { Context } from 'openapi-backend';
import type { Config } from '../config';
import { InvalidToken } from '../http/errors';
import { bearerToken, verifyToken, type TokenSettings } from '../auth/tokens';
import type { UserService } from '../services/users';

export interface Caller {
  userId: string;
}

/**
 * openapi-backend's handler for the `bearerAuth` scheme: verifies the token and returns the
 * caller, which handlers read from the context. A throw here reaches the unauthorizedHandler.
 */
export function bearerAuth(config: Config, tokens: TokenSettings, users: UserService) {
  return async (c: Context, ctx: KoaContext): Promise<Caller> => {
    const header = c.request.headers.authorization;
    const token = bearerToken(Array.isArray(header) ? header[0] : header);
    const verified = await verifyToken(token, tokens);
    if (!(await users.exists(verified.userId))) {
      // Development tokens from `npm run dev:token` ask for their user to be created on first use.
      const devProvision = config.env !== 'production' && verified.claims.dev_provision === true;
      if (!config.provisionUsers && !devProvision) throw InvalidToken();
      await users.provision(verified.userId, verified.email);
    }
    ctx.state.userId = verified.userId;
    return { userId: verified.userId };
  };
}
