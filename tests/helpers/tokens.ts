import crypto from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

/**
 * The secret of the services tests start (and of the tokens they mint): random per test process,
 * so it passes the production strength check and is never one published in this repository.
 */
export const TEST_SECRET = (process.env.TASK_API_TEST_SECRET ??= crypto.randomBytes(32).toString('base64url'));

/** A token the test service accepts (or, with options, one it must refuse). */
export async function tokenFor(
  userId: string | undefined,
  opts: { secret?: string; expiresIn?: string | number; claims?: JWTPayload; issuer?: string; audience?: string; notBefore?: string | number } = {},
): Promise<string> {
  let jwt = new SignJWT(opts.claims ?? {}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (userId !== undefined) jwt = jwt.setSubject(userId);
  jwt = jwt.setExpirationTime(opts.expiresIn ?? '1h');
  if (opts.issuer) jwt = jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt = jwt.setAudience(opts.audience);
  if (opts.notBefore !== undefined) jwt = jwt.setNotBefore(opts.notBefore);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? TEST_SECRET));
}
