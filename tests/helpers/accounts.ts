import crypto from 'node:crypto';
import type { Session } from '../../generated/types.gen';
import { send } from './http';
import type { TestApp } from './test-app';

export const PASSWORD = 'correct horse battery staple';

/** An email no other test or run uses (throttle counts in Redis outlive a run). */
export const uniqueEmail = (name = 'user') => `${name}.${crypto.randomBytes(6).toString('hex')}@example.org`;

/** A new account registered through POST /auth/register (201 asserted): its session. */
export async function registerAccount(app: TestApp, email = uniqueEmail(), password = PASSWORD): Promise<Session> {
  const sent = await send(app, 'POST', '/auth/register', { body: { email, password } });
  if (sent.status !== 201) throw new Error(`register answered ${sent.status}: ${sent.text.slice(0, 300)}`);
  return sent.json as Session;
}
