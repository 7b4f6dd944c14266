import { exportJWK, exportSPKI, SignJWT } from 'jose';
import * as sdk from '../../generated/sdk.gen';
import { createClient } from '../../generated/client';
import { contractFetch } from '../helpers/contract';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_SECRET, tokenFor } from '../helpers/tokens';
import { expectProblem } from '../helpers/problems';
import { deadUrl, providerToken, signingKey, startProvider, type Provider, type SigningKey } from '../helpers/identity-provider';

// Tokens from an external identity provider (JWT_JWKS_URL): the test serves the provider's JWKS
// itself on 127.0.0.1 and signs tokens with the matching private keys, the way Better Auth's JWT
// plugin or an OIDC provider would. Covers RS256, ES256 and EdDSA, the shared-secret HS256
// tokens that keep working alongside, every way such a token is refused, the key cache, and a
// provider that is down, hangs or answers garbage (503, never a crash).

const INVALID = 'Invalid token';
const EXPIRED = 'Token expired';
const PROVIDER_DOWN = 'The identity provider is unavailable, retry shortly';

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

async function withToken(app: TestApp, token: string, url = '/tasks') {
  const res = await app.request(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { res, json: text ? JSON.parse(text) : undefined };
}

function clientWith(app: TestApp, token: string) {
  return createClient({ baseUrl: app.baseUrl, fetch: contractFetch as typeof fetch, auth: token });
}

function expect401(sent: { res: Response; json: any }, detail: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expectProblem(sent, 401, detail);
  expect(sent.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

function expect503(sent: { res: Response; json: any }) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expectProblem(sent, 503, PROVIDER_DOWN);
  expect(sent.res.headers.get('retry-after')).toMatch(/^\d+$/);
}

/** The service still answers: the open health route, and a shared-secret token on a task route. */
async function expectStillServing(app: TestApp, userId: string) {
  expect((await app.request('/health')).status).toBe(200);
  const hs256 = await withToken(app, await app.createUser(userId));
  expect(hs256.res.status).toBe(200);
}

// ---------------------------------------------------------------------------------------------
// Keys shared by the suites
// ---------------------------------------------------------------------------------------------

let rsa: SigningKey;
let ec: SigningKey;
let ed: SigningKey;
/** Keys the provider never published. */
let foreignRsa: SigningKey;
let foreignEd: SigningKey;

beforeAll(async () => {
  [rsa, ec, ed, foreignRsa, foreignEd] = await Promise.all([
    signingKey('RS256', 'rsa-2026'),
    signingKey('ES256', 'ec-2026'),
    signingKey('EdDSA', 'ed-2026'),
    signingKey('RS256', 'rsa-2026'), // same kid as the published one, different key
    signingKey('EdDSA', 'ed-2026'),
  ]);
});

const published = () => [rsa.jwk, ec.jwk, ed.jwk];

// ---------------------------------------------------------------------------------------------
// A reachable provider
// ---------------------------------------------------------------------------------------------

describe('with JWT_JWKS_URL set to a reachable provider', () => {
  let provider: Provider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await startProvider(published());
    app = await startTestApp({ JWT_JWKS_URL: provider.url, AUTH_PROVISION_USERS: 'true' });
  });
  afterAll(async () => {
    await app.stop();
    await provider.stop();
  });

  describe('accepted tokens', () => {
    test.each(['RS256', 'ES256', 'EdDSA'] as const)('a token signed with the published %s key acts as its sub: creates and lists its tasks', async (alg) => {
      // Arrange
      const key = { RS256: rsa, ES256: ec, EdDSA: ed }[alg];
      const sub = `provider-user-${alg.toLowerCase()}`;
      const client = clientWith(app, await providerToken(key, sub));

      // Act
      const created = await sdk.createTask({ client, body: { title: `made with ${alg}` } });
      const listed = await sdk.listTasks({ client });

      // Assert
      expect(created.response?.status).toBe(201);
      expect(created.data!.user_id).toBe(sub);
      expect(listed.response?.status).toBe(200);
      expect(listed.data!.map((t) => t.title)).toEqual([`made with ${alg}`]);
    });

    test('a Better-Auth-like EdDSA token with a non-UUID id and an email is the caller, provisioned on first use', async () => {
      // Arrange: Better Auth's JWT plugin signs with EdDSA and puts the user's id (not a UUID) in sub.
      const betterAuthId = 'Xk9fQ2mLr7TzW4bN1cV8yH3pJ6sD0aGe';
      const token = await providerToken(ed, betterAuthId, { claims: { email: 'Ada@Example.org', name: 'Ada' } });
      const client = clientWith(app, token);

      // Act
      const me = await sdk.getMe({ client });
      const list = await sdk.listTasks({ client });

      // Assert
      expect(me.response?.status).toBe(200);
      expect(me.data).toMatchObject({ id: betterAuthId, email: 'ada@example.org' });
      expect(list.response?.status).toBe(200);
      expect(list.data!).toEqual([]);
    });

    test('a provider token without a kid still verifies against the only key of its type', async () => {
      const sent = await withToken(app, await providerToken(ec, 'no-kid-user', { kid: null }));
      expect(sent.res.status).toBe(200);
    });

    test('HS256 tokens signed with the shared secret keep working alongside the provider', async () => {
      // Arrange
      const client = await app.clientFor('local-user');

      // Act
      const created = await sdk.createTask({ client, body: { title: 'shared secret' } });
      const listed = await sdk.listTasks({ client });

      // Assert
      expect(created.response?.status).toBe(201);
      expect(created.data!.user_id).toBe('local-user');
      expect(listed.data!.map((t) => t.title)).toEqual(['shared secret']);
    });

    test('a provider user and a local user see only their own tasks', async () => {
      // Arrange
      const providerClient = clientWith(app, await providerToken(rsa, 'isolated-provider-user'));
      const localClient = await app.clientFor('isolated-local-user');
      await sdk.createTask({ client: providerClient, body: { title: 'provider task' } });
      await sdk.createTask({ client: localClient, body: { title: 'local task' } });

      // Act
      const providerList = await sdk.listTasks({ client: providerClient });
      const localList = await sdk.listTasks({ client: localClient });

      // Assert
      expect(providerList.data!.map((t) => t.title)).toEqual(['provider task']);
      expect(localList.data!.map((t) => t.title)).toEqual(['local task']);
    });
  });

  describe('refused tokens', () => {
    test('an RS256 token whose kid is not in the JWKS answers 401 Invalid token', async () => {
      const sent = await withToken(app, await providerToken(rsa, 'someone', { kid: 'rotated-away' }));
      expect401(sent, INVALID);
    });

    test('an RS256 token signed by a key the provider never published (same kid) answers 401 Invalid token', async () => {
      const sent = await withToken(app, await providerToken(foreignRsa, 'someone'));
      expect401(sent, INVALID);
    });

    test('an EdDSA token signed by an unpublished key without a kid answers 401 Invalid token', async () => {
      const sent = await withToken(app, await providerToken(foreignEd, 'someone', { kid: null }));
      expect401(sent, INVALID);
    });

    test('an ES256 token presenting the kid of the RSA key answers 401 Invalid token', async () => {
      const sent = await withToken(app, await providerToken(ec, 'someone', { kid: rsa.kid }));
      expect401(sent, INVALID);
    });

    test('an expired RS256 token answers 401 Token expired', async () => {
      const expiredAt = Math.floor(Date.now() / 1000) - 120;
      const sent = await withToken(app, await providerToken(rsa, 'someone', { expiresIn: expiredAt }));
      expect401(sent, EXPIRED);
    });

    test('a tampered RS256 token (payload changed after signing) answers 401 Invalid token', async () => {
      // Arrange
      const [header, , signature] = (await providerToken(rsa, 'victim')).split('.');
      const forged = Buffer.from(JSON.stringify({ sub: 'attacker', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');

      // Act
      const sent = await withToken(app, `${header}.${forged}.${signature}`);

      // Assert
      expect401(sent, INVALID);
    });

    test('algorithm confusion: an HS256 token keyed with the RSA public key PEM answers 401 Invalid token', async () => {
      // Arrange: the attacker knows the public key and hopes it is used as an HMAC secret.
      const pem = await exportSPKI(rsa.publicKey);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })
        .setSubject('attacker')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(pem));

      // Act
      const sent = await withToken(app, token);

      // Assert
      expect401(sent, INVALID);
    });

    test('algorithm confusion: an HS256 token keyed with the published JWK JSON answers 401 Invalid token', async () => {
      // Arrange
      const variants = [JSON.stringify(rsa.jwk), JSON.stringify({ keys: published() }), JSON.stringify(await exportJWK(rsa.publicKey))];
      for (const material of variants) {
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })
          .setSubject('attacker')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(material));

        // Act
        const sent = await withToken(app, token);

        // Assert
        expect401(sent, INVALID);
      }
    });

    test('an unsigned token (alg none) carrying a published kid answers 401 Invalid token', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: rsa.kid })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'attacker', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
      const sent = await withToken(app, `${header}.${payload}.`);
      expect401(sent, INVALID);
    });

    test('an RS256 token without sub, user_id or id answers 401 Invalid token', async () => {
      const sent = await withToken(app, await providerToken(rsa, undefined, { claims: { scope: 'tasks' } }));
      expect401(sent, INVALID);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Issuer and audience
// ---------------------------------------------------------------------------------------------

describe('with JWT_ISSUER and JWT_AUDIENCE set', () => {
  const ISSUER = 'https://auth.example.org';
  const AUDIENCE = 'tasks-api';
  let provider: Provider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await startProvider(published());
    app = await startTestApp({ JWT_JWKS_URL: provider.url, AUTH_PROVISION_USERS: 'true', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  });
  afterAll(async () => {
    await app.stop();
    await provider.stop();
  });

  test('a provider token with the configured iss and aud is accepted', async () => {
    const sent = await withToken(app, await providerToken(rsa, 'aud-ok', { issuer: ISSUER, audience: AUDIENCE }));
    expect(sent.res.status).toBe(200);
  });

  test.each([
    ['a wrong iss', { issuer: 'https://evil.example.org', audience: AUDIENCE }],
    ['a wrong aud', { issuer: ISSUER, audience: 'another-api' }],
    ['no iss', { audience: AUDIENCE }],
    ['no aud', { issuer: ISSUER }],
  ])('a provider token with %s answers 401 Invalid token', async (_name, claims) => {
    const sent = await withToken(app, await providerToken(ed, 'aud-bad', claims));
    expect401(sent, INVALID);
  });

  test('an HS256 token is held to the same iss and aud', async () => {
    expect((await withToken(app, await tokenFor('hs-ok', { issuer: ISSUER, audience: AUDIENCE }))).res.status).toBe(200);
    expect401(await withToken(app, await tokenFor('hs-bad', { issuer: 'https://evil.example.org', audience: AUDIENCE })), INVALID);
  });
});

// ---------------------------------------------------------------------------------------------
// The key cache
// ---------------------------------------------------------------------------------------------

describe('the JWKS cache', () => {
  let provider: Provider;
  let app: TestApp;

  beforeEach(async () => {
    provider = await startProvider(published());
    app = await startTestApp({ JWT_JWKS_URL: provider.url, AUTH_PROVISION_USERS: 'true' });
  });
  afterEach(async () => {
    await app.stop();
    await provider.stop();
  });

  test('the JWKS is not fetched before a provider token needs it, nor for HS256 tokens', async () => {
    // Act
    const sent = await withToken(app, await app.createUser('hs-only'));

    // Assert
    expect(sent.res.status).toBe(200);
    expect(provider.hits).toBe(0);
  });

  test('many requests with known kids, sequential and concurrent, cause a single JWKS fetch', async () => {
    // Arrange
    const tokens = await Promise.all([rsa, ec, ed].map((key) => providerToken(key, `cached-${key.alg}`)));

    // Act
    for (let i = 0; i < 5; i++) {
      for (const token of tokens) expect((await withToken(app, token)).res.status).toBe(200);
    }
    const concurrent = await Promise.all(Array.from({ length: 12 }, (_, i) => withToken(app, tokens[i % tokens.length])));

    // Assert
    expect(concurrent.map((s) => s.res.status)).toEqual(Array(12).fill(200));
    expect(provider.hits).toBe(1);
  });

  test('concurrent first requests share one fetch', async () => {
    // Arrange
    const token = await providerToken(rsa, 'stampede');

    // Act
    const sent = await Promise.all(Array.from({ length: 10 }, () => withToken(app, token)));

    // Assert
    expect(sent.map((s) => s.res.status)).toEqual(Array(10).fill(200));
    expect(provider.hits).toBe(1);
  });

  test('a burst of unknown kids does not make the service hammer the provider', async () => {
    // Arrange: the keys are loaded once by a valid token.
    expect((await withToken(app, await providerToken(rsa, 'warm'))).res.status).toBe(200);

    // Act
    for (let i = 0; i < 10; i++) {
      expect401(await withToken(app, await providerToken(rsa, 'someone', { kid: `unknown-${i}` })), INVALID);
    }

    // Assert: inside the cooldown, unknown kids are refused from the cache.
    expect(provider.hits).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// A provider that is down
// ---------------------------------------------------------------------------------------------

describe('when nothing listens at JWT_JWKS_URL', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ JWT_JWKS_URL: await deadUrl(), JWT_JWKS_TIMEOUT_MS: '300', AUTH_PROVISION_USERS: 'true' });
  });
  afterAll(() => app.stop());

  test('an RS256 token answers 503 problem+json with Retry-After', async () => {
    expect503(await withToken(app, await providerToken(rsa, 'during-outage')));
  });

  test('EdDSA and ES256 tokens answer 503 too, and repeated attempts keep answering 503', async () => {
    for (const key of [ed, ec, rsa, rsa]) {
      expect503(await withToken(app, await providerToken(key, 'during-outage')));
    }
  });

  test('the process keeps serving: health and HS256 tokens still work after provider failures', async () => {
    // Arrange: a handful of concurrent provider tokens, each needing the unreachable JWKS.
    const failed = await Promise.all(Array.from({ length: 5 }, async () => (await withToken(app, await providerToken(rsa, 'x'))).res.status));

    // Act + Assert
    expect(failed.filter((status) => status === 200 || status === 500)).toEqual([]);
    await expectStillServing(app, 'hs-during-outage');
  });

  test('an HS256 token never needs the provider, even with a kid in its header', async () => {
    // Arrange: a shared-secret token whose header names the provider's RSA key.
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })
      .setSubject('hs-with-kid')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET));

    // Act
    const sent = await withToken(app, token);

    // Assert
    expect(sent.res.status).toBe(200);
  });
});

describe('when the provider misbehaves', () => {
  let provider: Provider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await startProvider(published(), 'hang');
    app = await startTestApp({ JWT_JWKS_URL: provider.url, JWT_JWKS_TIMEOUT_MS: '300', AUTH_PROVISION_USERS: 'true' });
  });
  afterAll(async () => {
    await app.stop();
    await provider.stop();
  });

  // A failed fetch caches nothing, so each test sets the provider's behaviour for itself; the
  // recovery test comes last because a successful fetch is cached.

  test('a provider that never answers: RS256 answers 503 after the timeout, and the service keeps serving', async () => {
    // Arrange
    provider.behaviour = 'hang';
    const hitsBefore = provider.hits;

    // Act
    const sent = await withToken(app, await providerToken(rsa, 'hung'));

    // Assert
    expect503(sent);
    expect(provider.hits).toBeGreaterThan(hitsBefore);
    await expectStillServing(app, 'hs-during-hang');
  });

  test('a JWKS endpoint answering garbage JSON: RS256 answers 503', async () => {
    // Arrange
    provider.behaviour = 'garbage';
    const hitsBefore = provider.hits;

    // Act
    const sent = await withToken(app, await providerToken(rsa, 'garbage'));

    // Assert
    expect(provider.hits).toBeGreaterThan(hitsBefore);
    expect503(sent);
    await expectStillServing(app, 'hs-during-garbage');
  });

  test('a JWKS endpoint answering 500: RS256 answers 503', async () => {
    // Arrange
    provider.behaviour = 'error';
    const hitsBefore = provider.hits;

    // Act
    const sent = await withToken(app, await providerToken(ed, 'provider-500'));

    // Assert
    expect(provider.hits).toBeGreaterThan(hitsBefore);
    expect503(sent);
    await expectStillServing(app, 'hs-during-500');
  });

  test('once the provider answers again, provider tokens are accepted without a restart', async () => {
    // Arrange
    provider.behaviour = 'keys';

    // Act
    const sent = await withToken(app, await providerToken(rsa, 'recovered'));

    // Assert
    expect(sent.res.status).toBe(200);
  });
});
