import { SignJWT, type JWTPayload } from 'jose';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

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
