import type { KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isStorableText } from '../db/storable-text';
import { IdentityProviderUnavailable, InvalidToken, MissingAuthentication, TokenExpired } from '../core/errors';

// Bearer tokens. Algorithms are pinned per key kind: HS256 only with the shared secret, and
// RS256/ES256/EdDSA only with keys from the provider's JWKS. So `alg: none`, HS256 signed with a
// public key (algorithm confusion) and any other algorithm are refused before a claim is read.

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

export interface TokenSettings {
  secret: Uint8Array | KeyObject;
  /** `iss` and `aud` of the tokens this service issues for its own accounts (TOKEN_ISSUER). */
  ownIssuer: string;
  /** What an identity provider's tokens must carry, when configured (JWT_ISSUER, JWT_AUDIENCE). */
  issuer?: string;
  audience?: string;
  ttlSeconds: number;
  /** Keys of an external identity provider, when JWT_JWKS_URL is set. */
  jwks?: JWTVerifyGetKey;
}

/**
 * Whose token it is: `own`, issued by this service for one of its accounts; `external`, an
 * identity provider's (its keys, or the shared secret), which may never act for an own account.
 */
export type TokenKind = 'own' | 'external';

export interface VerifiedToken {
  userId: string;
  email?: string;
  kind: TokenKind;
  claims: JWTPayload;
}

/** Why a token was refused, for the log. */
export type RejectionReason = 'missing' | 'expired' | 'invalid' | 'no_subject' | 'unknown_user' | 'local_account' | 'provider_unavailable';

export class TokenRejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly problem: Error,
  ) {
    super(reason);
  }
}

/** No real token comes near this; a larger one is refused before any decoding work. */
export const MAX_TOKEN_LENGTH = 8192;

/** The token from an `Authorization: Bearer …` header, or a 401 `Missing authentication`. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new TokenRejected('missing', MissingAuthentication());
  if (match[1].length > MAX_TOKEN_LENGTH) throw new TokenRejected('invalid', InvalidToken());
  return match[1];
}

/**
 * The caller's id: `sub`, falling back to `user_id`, then `id`. It becomes a users row's key, so
 * it must be 1–255 characters of text PostgreSQL can store; the first claim present decides (one
 * that cannot be stored refuses the token rather than falling through to another).
 */
export function subjectOf(claims: JWTPayload): string | undefined {
  for (const name of ['sub', 'user_id', 'id']) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value === 'string' && value.length > 0 && value.length <= 255 && isStorableText(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    return undefined;
  }
  return undefined;
}

/** The `email` claim when it could be a users row's email (storable, at most 254 characters trimmed); else none. */
export function emailOf(claims: JWTPayload): string | undefined {
  const value = claims.email;
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return email.length > 0 && email.length <= 254 && isStorableText(email) ? email : undefined;
}

/**
 * A JWKS that cannot be fetched is the provider's outage (503), not the caller's fault (401):
 * a timeout, a non-200 or unparsable answer (jose's generic error), or a network error (not a
 * JOSE error at all; tested without `instanceof Error`, which fails across realms).
 */
function isProviderOutage(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  if (!(err instanceof errors.JOSEError)) return true;
  return err.code === 'ERR_JOSE_GENERIC';
}

function algorithmOf(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    throw new TokenRejected('invalid', InvalidToken());
  }
}

/** Whose an HS256 token says it is, and so what it must carry (read before its signature is checked, to choose how to check it). */
function expectationsOf(token: string, settings: TokenSettings): { kind: TokenKind; issuer?: string; audience?: string } {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new TokenRejected('invalid', InvalidToken());
  }
  if (claims.iss === settings.ownIssuer) return { kind: 'own', issuer: settings.ownIssuer, audience: settings.ownIssuer };
  // Tokens issued before TOKEN_ISSUER existed carried the own-account claim and no issuer.
  if (claims.iss === undefined && claims[LOCAL_ACCOUNT_CLAIM] === true) return { kind: 'own' };
  return { kind: 'external', issuer: settings.issuer, audience: settings.audience };
}

async function verifiedClaims(token: string, settings: TokenSettings): Promise<{ claims: JWTPayload; kind: TokenKind }> {
  const alg = algorithmOf(token);
  const viaJwks = settings.jwks !== undefined && alg !== undefined && ASYMMETRIC_ALGORITHMS.includes(alg);
  if (alg !== 'HS256' && !viaJwks) throw new TokenRejected('invalid', InvalidToken());
  // Own tokens answer to the service's issuer; a provider's to the one configured for it.
  const { kind, ...expected } = viaJwks ? { kind: 'external' as const, issuer: settings.issuer, audience: settings.audience } : expectationsOf(token, settings);
  try {
    const { payload } = viaJwks
      ? await jwtVerify(token, settings.jwks!, { ...expected, algorithms: ASYMMETRIC_ALGORITHMS })
      : await jwtVerify(token, settings.secret, { ...expected, algorithms: ['HS256'] });
    return { claims: payload, kind };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new TokenRejected('expired', TokenExpired());
    if (viaJwks && isProviderOutage(err)) throw new TokenRejected('provider_unavailable', IdentityProviderUnavailable(err));
    throw new TokenRejected('invalid', InvalidToken());
  }
}

export async function verifyToken(token: string, settings: TokenSettings): Promise<VerifiedToken> {
  const { claims, kind } = await verifiedClaims(token, settings);
  const userId = subjectOf(claims);
  if (userId === undefined) throw new TokenRejected('no_subject', InvalidToken());
  return { userId, email: emailOf(claims), kind, claims };
}

/** Marks tokens this service issued for its own accounts: their users are never provisioned. */
export const LOCAL_ACCOUNT_CLAIM = 'local_account';

/**
 * A token for an account of this service: HS256, `sub`, `iat`, `exp`, and the service's own
 * issuer as `iss` and `aud` (never an identity provider's: those answer to its tokens only).
 */
export async function issueToken(userId: string, settings: TokenSettings): Promise<{ token: string; expiresIn: number }> {
  const jwt = new SignJWT({ [LOCAL_ACCOUNT_CLAIM]: true })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(settings.ownIssuer)
    .setAudience(settings.ownIssuer)
    .setIssuedAt()
    .setExpirationTime(`${settings.ttlSeconds}s`);
  return { token: await jwt.sign(settings.secret), expiresIn: settings.ttlSeconds };
}
