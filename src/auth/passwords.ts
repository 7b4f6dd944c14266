import { hash, verify } from '@node-rs/bcrypt';

// bcrypt through a native binding: hashing runs on libuv's thread pool, off the event loop.

export const MAX_PASSWORD_BYTES = 72; // bcrypt ignores everything after byte 72

export function hashPassword(password: string, cost: number): Promise<string> {
  // Longer passwords are refused by validation first; rejectLongPasswords keeps bcrypt honest too.
  return hash(password, { cost, rejectLongPasswords: true });
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown email, or an account from an
 * external provider) it still verifies against a dummy hash of the same cost, so a login takes
 * as long whether or not the email exists.
 */
export async function verifyPassword(password: string, storedHash: string | null, cost: number): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hash('dummy password, never matches', { cost });
    await verify(password, await dummyHash);
    return false;
  }
  return verify(password, storedHash);
}
