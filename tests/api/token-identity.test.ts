import { decodeJwt } from 'jose';
import { registerAccount, uniqueEmail } from '../helpers/accounts';
import { send } from '../helpers/http';
import { providerToken, signingKey, startProvider, type Provider, type SigningKey } from '../helpers/identity-provider';
import { fillTemplate, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { tokenFor } from '../helpers/tokens';

// Two kinds of token, kept apart: the service's own (from /auth/register and /auth/login, with the
// service's issuer and audience, whatever JWT_ISSUER/JWT_AUDIENCE say) and an identity provider's
// (checked against those). A provider's token never acts for an account registered here. And with
// AUTH_PROVISION_USERS=true a deleted account stays deleted for every token issued before its
// deletion, even one racing it.

const PROVIDER_ISSUER = 'https://idp.example.org';
const PROVIDER_AUDIENCE = 'task-api-audience';

let app: TestApp;
let provider: Provider;
let key: SigningKey;

beforeAll(async () => {
  key = await signingKey('EdDSA', 'identity-key');
  provider = await startProvider([key.jwk]);
  app = await startTestApp({
    JWT_JWKS_URL: provider.url,
    JWT_ISSUER: PROVIDER_ISSUER,
    JWT_AUDIENCE: PROVIDER_AUDIENCE,
    AUTH_PROVISION_USERS: 'true',
    REGISTER_RATE_LIMIT: '0',
  });
});
afterAll(async () => {
  await app?.stop();
  await provider?.stop();
});

const call = (method: string, path: string, token: string, body?: unknown) => send(app, method, path, { token, body });
const register = () => registerAccount(app, uniqueEmail('identity'));

/** A provider's token, as Better Auth or an OIDC provider signs it. */
const fromProvider = (sub: string, claims: Record<string, unknown> = {}) =>
  providerToken(key, sub, { issuer: PROVIDER_ISSUER, audience: PROVIDER_AUDIENCE, claims });

describe("the service's own tokens and a provider's", () => {
  test("/auth/register issues a token with the service's own issuer and audience, not the provider's, and it works", async () => {
    const session = await register();

    expect(decodeJwt(session.access_token)).toMatchObject({ iss: 'task-api', aud: 'task-api', sub: session.user.id });
    expect((await call('GET', '/auth/me', session.access_token)).status).toBe(200);
    expect((await call('POST', '/tasks', session.access_token, { title: 'mine' })).status).toBe(201);
  });

  test("a provider's token is checked against the provider's issuer and audience", async () => {
    expect((await call('GET', '/auth/me', await fromProvider('provider-user-1'))).status).toBe(200);
    const wrongAudience = await providerToken(key, 'provider-user-1', { issuer: PROVIDER_ISSUER, audience: 'task-api' });
    expect((await call('GET', '/auth/me', wrongAudience)).status).toBe(401);
  });

  test.each([
    ["the provider's keys", (id: string) => fromProvider(id)],
    ["the shared secret with the provider's issuer", (id: string) => tokenFor(id, { issuer: PROVIDER_ISSUER, audience: PROVIDER_AUDIENCE })],
    ["the provider's issuer and the own-account claim", (id: string) => tokenFor(id, { issuer: PROVIDER_ISSUER, audience: PROVIDER_AUDIENCE, claims: { local_account: true } })],
    ["the service's issuer but the provider's audience", (id: string) => tokenFor(id, { issuer: 'task-api', audience: PROVIDER_AUDIENCE, claims: { local_account: true } })],
  ])('a token signed with %s cannot act for an account registered here (401 Invalid token)', async (_, mint) => {
    const session = await register();
    const impostor = await mint(session.user.id);

    for (const [method, path] of [['GET', '/auth/me'], ['GET', '/tasks'], ['POST', '/tasks'], ['DELETE', '/auth/me']] as const) {
      const sent = await call(method, path, impostor, method === 'POST' ? { title: 'planted' } : undefined);
      expect({ method, path, status: sent.status, detail: sent.json?.detail }).toEqual({ method, path, status: 401, detail: 'Invalid token' });
    }
    expect((await call('GET', '/auth/me', session.access_token)).status).toBe(200); // the account is untouched
  });
});

describe('AUTH_PROVISION_USERS=true and a deleted account', () => {
  const secured = operations.filter((op) => op.secured);

  test('every token issued before the deletion is 401 on every authenticated operation; no account comes back', async () => {
    const token = await fromProvider('leaving-user');
    expect((await call('GET', '/auth/me', token)).status).toBe(200);
    const task = await call('POST', '/tasks', token, { title: 'mine' });
    expect((await call('DELETE', '/auth/me', token)).status).toBe(204);

    for (const op of secured) {
      const path = fillTemplate(op.template, { task_id: task.json.id, user_id: 'leaving-user' });
      const sent = await call(op.method, path, token, op.requestBody ? (['POST', 'PUT'].includes(op.method) ? { title: 'after' } : {}) : undefined);
      expect({ op: `${op.method} ${op.template}`, status: sent.status }).toEqual({ op: `${op.method} ${op.template}`, status: 401 });
    }
    expect(await app.knex('users').where({ id: 'leaving-user' }).first()).toBeUndefined();
    // The same holds for a development token asking to be created.
    expect((await call('GET', '/auth/me', await tokenFor('leaving-user', { claims: { dev_provision: true } }))).status).toBe(401);
  });

  test('a token issued after the deletion makes a new, empty account (the provider says the user is back)', async () => {
    const before = await fromProvider('returning-user');
    await call('POST', '/tasks', before, { title: 'old life' });
    expect((await call('DELETE', '/auth/me', before)).status).toBe(204);
    expect((await call('GET', '/auth/me', before)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // iat counts whole seconds

    const after = await fromProvider('returning-user');

    expect((await call('GET', '/auth/me', after)).status).toBe(200);
    expect((await call('GET', '/tasks', after)).json).toEqual([]);
  });

  test('requests racing the deletion never bring the account back', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `racing-user-${round}`;
      const token = await fromProvider(id);
      expect((await call('GET', '/auth/me', token)).status).toBe(200);
      const racing = Array.from({ length: 20 }, () => call('GET', '/auth/me', token));
      const deletion = call('DELETE', '/auth/me', token);
      const statuses = (await Promise.all(racing)).map((s) => s.status);
      expect((await deletion).status).toBe(204);
      expect(statuses.filter((s) => s !== 200 && s !== 401)).toEqual([]);
      expect((await call('GET', '/auth/me', token)).status).toBe(401);
      expect(await app.knex('users').where({ id }).first()).toBeUndefined();
    }
  });
});
