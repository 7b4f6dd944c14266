import { hash, verify } from '@node-rs/bcrypt';

// bcrypt through a native binding: hashing runs on libuv's thread pool, off the event loop.

export const MAX_PASSWORD_BYTES = 72; // bcrypt ignores everything after byte 72

export function hashPassword(password: string, cost: number): Promise<string> {
  // bcrypt would silently ignore bytes past 72: never hash what it would cut.
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new RangeError('password longer than 72 bytes');
  return hash(password, cost);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown email, or an account from an
 * external provider) it still verifies against a dummy hash of the same cost, so a login takes
 * as long whether or not the email exists.
 */
export async function verifyPassword(password: string, storedHash: string | null, cost: number): Promise<boolean> {
  // bcrypt compares only the first 72 bytes; no stored password is longer, so a longer one is
  // wrong (checked against the dummy hash all the same, so it takes as long).
  if (storedHash === null || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    dummyHash ??= hash('dummy password, never matches', cost);
    await verify(password, await dummyHash);
    return false;
  }
  return verify(password, storedHash);
}
