import { errors, jwtVerify, type JWTPayload } from 'jose';
import { InvalidToken, MissingAuthentication, TokenExpired } from '../http/errors';

// Bearer token verification. Algorithms are pinned (HS256 with the shared secret), so
// `alg: none` and HS/RS confusion are refused by jose before any claim is read.

export interface TokenSettings {
  secret: Uint8Array;
  issuer?: string;
  audience?: string;
}

export interface VerifiedToken {
  userId: string;
  email?: string;
  claims: JWTPayload;
}

/** The token from an `Authorization: Bearer …` header, or a 401 `Missing authentication`. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw MissingAuthentication();
  return match[1];
}

/** The caller's id: `sub`, falling back to `user_id`, then `id`. */
export function subjectOf(claims: JWTPayload): string | undefined {
  for (const name of ['sub', 'user_id', 'id']) {
    const value = claims[name];
    if (typeof value === 'string' && value.length > 0 && value.length <= 255) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  }
  return undefined;
}

export async function verifyToken(token: string, settings: TokenSettings): Promise<VerifiedToken> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, settings.secret, {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw TokenExpired();
    throw InvalidToken();
  }
  const userId = subjectOf(claims);
  if (userId === undefined) throw InvalidToken();
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  return { userId, email, claims };
}
