import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../core/config';

/**
 * The identity provider's signing keys, fetched from JWT_JWKS_URL on first use and cached by
 * jose (refetched at most every 30 s when an unknown key id shows up, kept 10 min otherwise).
 */
export function remoteKeys(config: Config): JWTVerifyGetKey | undefined {
  if (!config.jwt.jwksUrl) return undefined;
  return createRemoteJWKSet(new URL(config.jwt.jwksUrl), {
    timeoutDuration: config.jwt.jwksTimeoutMs,
    cooldownDuration: 30_000,
    cacheMaxAge: 600_000,
  });
}
