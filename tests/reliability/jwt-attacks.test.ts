import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import yaml from 'js-yaml';
import { base64url, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { OpenAPIV3 } from 'openapi-types';
import { engineName } from '../helpers/engine';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_SECRET, tokenFor } from '../helpers/tokens';

// The JWT attacks of issue 6 that tests/api/auth.test.ts and tests/api/jwks.test.ts do not
// already cover (those have alg none, algorithm confusion with a JWKS key, expired, nbf,
// wrong iss/aud, missing sub, a user who never existed, ?access_token= on GET /tasks):
// oversized tokens, tokens of deleted users, tokens anywhere but the Authorization header,
// and header/claim tricks (embedded jwk, jku/x5u, crit, b64, kid injection, mistyped claims).
// Every one answers 401 with the documented detail, and nothing crashes.

const MISSING = 'Missing authentication';
const INVALID = 'Invalid token';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => base64url.encode(typeof value === 'string' ? value : JSON.stringify(value));

/** A token with exactly this header and payload, HMAC-signed with `key` (the test secret by default). */
function handMade(header: object, payload: unknown, key: string | Uint8Array = TEST_SECRET): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${crypto.createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

async function call(app: TestApp, url: string, init: RequestInit = {}) {
  const res = await app.request(url, init);
  const text = await res.text();
  return { res, json: text ? JSON.parse(text) : undefined };
}

async function withToken(app: TestApp, token: string, url = '/tasks') {
  return call(app, url, { headers: { authorization: `Bearer ${token}` } });
}

function expect401(sent: { res: Response; json: { status?: number; detail?: string } | undefined }, detail: string) {
  expect({ status: sent.res.status, detail: sent.json?.detail }).toEqual({ status: 401, detail });
  expect(sent.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(sent.res.headers.get('www-authenticate')).toMatch(/^Bearer /);
}

// Every secured operation of the contract, with a request that would succeed with a valid token.
const document = yaml.load(fs.readFileSync(path.join(__dirname, '../../openapi.yaml'), 'utf8')) as OpenAPIV3.Document;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const securedOps = Object.entries(document.paths).flatMap(([template, item]) =>
  METHODS.filter((m) => item?.[m] && (item[m]!.security ?? document.security ?? []).length > 0).map((m) => ({
    name: `${m.toUpperCase()} ${template}`,
    method: m.toUpperCase(),
    template,
  })),
);

function requestFor(op: { method: string; template: string }, userId: string, taskId: string): [string, RequestInit] {
  const url = op.template.replace('{task_id}', taskId).replace('{user_id}', encodeURIComponent(userId));
  const withBody = op.method === 'POST' || op.method === 'PUT' || (op.method === 'PATCH' && !/(toggle|complete)$/.test(op.template));
  return [url, withBody ? { method: op.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'attack' }) } : { method: op.method }];
}

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe(`oversized tokens (${engineName})`, () => {
  test.each([
    ['10 KB of garbage', () => 'a'.repeat(10 * 1024)],
    ['15 KB of garbage', () => 'a'.repeat(15 * 1024)],
    ['a correctly signed 10 KB token (padded claims)', () => tokenFor('big-claims', { claims: { pad: 'x'.repeat(7.5 * 1024) } })],
    // base64url grows the claims by a third: 10.5 KB of claims make a token of about 14 KB.
    ['a correctly signed 14 KB token (padded claims)', () => tokenFor('big-claims', { claims: { pad: 'x'.repeat(10.5 * 1024) } })],
    ['a 10 KB JOSE header (huge kid)', () => handMade({ alg: 'HS256', typ: 'JWT', kid: 'k'.repeat(10 * 1024) }, { sub: 'big-claims', exp: now() + 600 })],
    ['10 KB of dots', () => '.'.repeat(10 * 1024)],
  ])('%s answers 401 Invalid token', async (_name, make) => {
    await app.createUser('big-claims');
    const token = await make();
    expect(token.length).toBeGreaterThan(8192);

    expect401(await withToken(app, token), INVALID);
  });

  test('a correctly signed token of 7 KB (under the cap) is still accepted', async () => {
    await app.createUser('big-claims');
    const token = await tokenFor('big-claims', { claims: { groups: 'g'.repeat(5 * 1024) } });
    expect(token.length).toBeGreaterThan(6 * 1024);
    expect(token.length).toBeLessThan(8192);

    const sent = await withToken(app, token);

    expect(sent.res.status).toBe(200);
  });

  test('above 16 KB of headers Node itself answers 431 before the service runs, and the service keeps serving', async () => {
    // Node's HTTP parser refuses request heads above --max-http-header-size (16 KB by default)
    // with a bare 431 and closes the connection: no problem+json, no X-Request-Id, no log line.
    // Tokens that large never reach the service's own 401; this documents that limit.
    const res = await fetch(`${app.baseUrl}/tasks`, { headers: { authorization: `Bearer ${'a'.repeat(20 * 1024)}` } });
    await res.arrayBuffer();

    expect(res.status).toBe(431);
    expect((await app.request('/health')).status).toBe(200);
  });
});

describe(`tokens of deleted users (${engineName})`, () => {
  test.each(securedOps)('after an operator deletes the user row, $name with their token answers 401 Invalid token', async (op) => {
    // Arrange: a real user with a task, then their row is deleted (tasks go with it).
    const userId = `deleted-${crypto.randomUUID()}`;
    const token = await app.createUser(userId);
    const created = await call(app, '/tasks', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'soon orphaned' }),
    });
    expect(created.res.status).toBe(201);
    await app.knex('users').where({ id: userId }).delete();

    // Act
    const [url, init] = requestFor(op, userId, created.json.id);
    const sent = await call(app, url, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${token}` } });

    // Assert: refused, and nothing was written for the deleted user.
    expect401(sent, INVALID);
    expect(await app.knex('users').where({ id: userId })).toEqual([]);
    expect(await app.knex('tasks').where({ user_id: userId })).toEqual([]);
  });

  describe('with AUTH_PROVISION_USERS=true', () => {
    let open: TestApp;

    beforeAll(async () => {
      open = await startTestApp({ AUTH_PROVISION_USERS: 'true' });
    });
    afterAll(() => open.stop());

    test('a token issued by /auth/register stays refused after DELETE /auth/me: the account is not re-created', async () => {
      // Arrange
      const registered = await call(open, '/auth/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `gone-${crypto.randomUUID()}@example.org`, password: 'correct horse battery staple' }),
      });
      expect(registered.res.status).toBe(201);
      const { access_token: token, user } = registered.json;
      const deleted = await call(open, '/auth/me', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect(deleted.res.status).toBe(204);

      // Act
      const me = await withToken(open, token, '/auth/me');
      const tasks = await withToken(open, token, '/tasks');

      // Assert: "a deleted account is locked out at once, even with an unexpired token" (README).
      expect401(me, INVALID);
      expect401(tasks, INVALID);
      expect(await open.knex('users').where({ id: user.id })).toEqual([]);
    });
  });
});

describe(`tokens anywhere but the Authorization header (${engineName})`, () => {
  let alice: string;
  let bob: string;
  let aliceTask: string;

  beforeAll(async () => {
    alice = await app.createUser('qs-alice');
    bob = await app.createUser('qs-bob');
    const created = await call(app, '/tasks', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: "alice's" }),
    });
    aliceTask = created.json.id;
  });

  const names = ['access_token', 'token', 'jwt', 'bearer', 'auth', 'authorization', 'id_token'];

  test.each(names)('?%s=<valid token> is refused (401 Missing authentication) on reads and writes', async (name) => {
    const q = (url: string) => `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(alice)}`;

    expect401(await call(app, q('/tasks')), MISSING);
    expect401(await call(app, q('/auth/me')), MISSING);
    expect401(await call(app, q('/api/qs-alice/tasks')), MISSING);
    expect401(await call(app, q(`/tasks/${aliceTask}`)), MISSING);
    expect401(await call(app, q('/tasks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"via query"}' }), MISSING);
    expect401(await call(app, q(`/tasks/${aliceTask}`), { method: 'DELETE' }), MISSING);

    const still = await withToken(app, alice, `/tasks/${aliceTask}`);
    expect(still.res.status).toBe(200);
  });

  test("a token in the query string never overrides the header: bob's header with alice's ?access_token= acts as bob", async () => {
    const sent = await withToken(app, bob, `/tasks?access_token=${encodeURIComponent(alice)}`);
    const read = await withToken(app, bob, `/tasks/${aliceTask}?access_token=${encodeURIComponent(alice)}`);

    expect(sent.res.status).toBe(200);
    expect(sent.json).toEqual([]);
    expect(read.res.status).toBe(404);
  });

  const elsewhere: Array<[string, (token: string) => RequestInit]> = [
    ['a JSON body field access_token', (t) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x', access_token: t }) })],
    ['a cookie access_token', (t) => ({ headers: { cookie: `access_token=${t}` } })],
    ['a cookie Authorization=Bearer …', (t) => ({ headers: { cookie: `Authorization=Bearer ${t}` } })],
    ['an X-Access-Token header', (t) => ({ headers: { 'x-access-token': t } })],
    ['an X-Auth-Token header', (t) => ({ headers: { 'x-auth-token': t } })],
    ['a Proxy-Authorization: Bearer header', (t) => ({ headers: { 'proxy-authorization': `Bearer ${t}` } })],
  ];

  test.each(elsewhere)('%s is not a credential (401 Missing authentication)', async (_name, init) => {
    expect401(await call(app, '/tasks', init(alice)), MISSING);
  });
});

describe(`header and claim tricks (${engineName})`, () => {
  beforeAll(async () => {
    await app.createUser('trick-target');
  });

  const payload = () => ({ sub: 'trick-target', iat: now(), exp: now() + 600 });

  test.each([
    ['alg "None"', () => `${b64({ alg: 'None', typ: 'JWT' })}.${b64(payload())}.`],
    ['alg "NONE"', () => `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64(payload())}.`],
    ['alg "nOnE"', () => `${b64({ alg: 'nOnE', typ: 'JWT' })}.${b64(payload())}.`],
    ['alg "none" with an HMAC signature attached', () => handMade({ alg: 'none', typ: 'JWT' }, payload())],
    ['alg "hs256" (wrong case), correctly HMAC-signed', () => handMade({ alg: 'hs256', typ: 'JWT' }, payload())],
    ['no alg at all, correctly HMAC-signed', () => handMade({ typ: 'JWT' }, payload())],
    ['an unknown critical header ("crit": ["x-must-understand"])', () => handMade({ alg: 'HS256', crit: ['x-must-understand'], 'x-must-understand': true }, payload())],
    ['an unencoded payload ("b64": false, "crit": ["b64"])', () => handMade({ alg: 'HS256', b64: false, crit: ['b64'] }, payload())],
    ['a kid pointing at /dev/null, signed with an empty key', () => handMade({ alg: 'HS256', kid: '../../../../../../dev/null' }, payload(), '')],
    ["a kid carrying SQL, signed with an empty key", () => handMade({ alg: 'HS256', kid: "x' UNION SELECT '' --" }, payload(), '')],
    ['exp as a string', () => handMade({ alg: 'HS256' }, { ...payload(), exp: String(now() + 600) })],
    ['nbf as a string', () => handMade({ alg: 'HS256' }, { ...payload(), nbf: 'yesterday' })],
    ['sub as an object', () => handMade({ alg: 'HS256' }, { ...payload(), sub: { id: 'trick-target' } })],
    ['sub as an array', () => handMade({ alg: 'HS256' }, { ...payload(), sub: ['trick-target'] })],
    ['sub as a boolean', () => handMade({ alg: 'HS256' }, { ...payload(), sub: true })],
    ['sub of 256 characters', () => handMade({ alg: 'HS256' }, { ...payload(), sub: 's'.repeat(256) })],
    ['a payload that is a JSON array', () => handMade({ alg: 'HS256' }, ['trick-target'])],
    ['a payload that is a JSON string', () => handMade({ alg: 'HS256' }, '"trick-target"')],
    ['a header that is not JSON', () => `${b64('not json')}.${b64(payload())}.${'A'.repeat(43)}`],
    ['standard base64 (+ / =) instead of base64url', () => handMade({ alg: 'HS256' }, payload()).replace(/-/g, '+').replace(/_/g, '/') + '=='],
    ['five segments (a JWE shape)', () => `${b64({ alg: 'dir', enc: 'A256GCM' })}..${b64('iv')}.${b64('ciphertext')}.${b64('tag')}`],
    ['a valid token with trailing garbage', async () => `${await tokenFor('trick-target')}.extra`],
  ])('%s answers 401 Invalid token', async (_name, make) => {
    expect401(await withToken(app, await make()), INVALID);
  });

  test('two tokens in one Authorization header answer 401, not the first one', async () => {
    const sent = await call(app, '/tasks', { headers: { authorization: `Bearer ${await tokenFor('trick-target')} ${await tokenFor('trick-target')}` } });

    expect(sent.res.status).toBe(401);
  });

  describe('keys the token brings with it', () => {
    let attacker: { url: string; hits: number; stop(): Promise<void> };
    let jwksApp: TestApp;
    let provider: { url: string; stop(): Promise<void> };
    let attackerKey: Awaited<ReturnType<typeof generateKeyPair>>;
    let attackerJwk: Record<string, unknown>;

    async function serveJson(body: () => unknown) {
      const server = http.createServer((_req, res) => {
        state.hits += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
      });
      server.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', resolve));
      const state = {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
        hits: 0,
        stop: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
      };
      return state;
    }

    beforeAll(async () => {
      const legit = await generateKeyPair('RS256', { extractable: true });
      const legitJwk = { ...(await exportJWK(legit.publicKey)), kid: 'legit', alg: 'RS256', use: 'sig' };
      attackerKey = await generateKeyPair('RS256', { extractable: true });
      attackerJwk = { ...(await exportJWK(attackerKey.publicKey)), kid: 'attacker', alg: 'RS256', use: 'sig' };
      provider = await serveJson(() => ({ keys: [legitJwk] }));
      attacker = await serveJson(() => ({ keys: [attackerJwk] }));
      jwksApp = await startTestApp({ JWT_JWKS_URL: provider.url, AUTH_PROVISION_USERS: 'true' });
    });
    afterAll(async () => {
      await jwksApp?.stop();
      await provider?.stop();
      await attacker?.stop();
    });

    function attackerToken(header: Record<string, unknown>, claims: JWTPayload = {}) {
      return new SignJWT({ sub: 'attacker', ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(attackerKey.privateKey);
    }

    test.each([
      ['an embedded "jwk" header (CVE-2018-0114)', () => attackerToken({ jwk: attackerJwk })],
      ['an embedded "jwk" header reusing the legit kid', () => attackerToken({ kid: 'legit', jwk: attackerJwk })],
      ['a "jku" header pointing at the attacker\'s JWKS', () => attackerToken({ kid: 'attacker', jku: attacker.url })],
      ['an "x5u" header pointing at the attacker', () => attackerToken({ kid: 'attacker', x5u: attacker.url })],
    ])('with JWT_JWKS_URL set, %s answers 401 Invalid token and the attacker\'s URL is never fetched', async (_name, make) => {
      const before = attacker.hits;

      const sent = await withToken(jwksApp, await make());

      expect401(sent, INVALID);
      expect(attacker.hits).toBe(before);
      expect(await jwksApp.knex('users').where({ id: 'attacker' })).toEqual([]);
    });

    test('without JWT_JWKS_URL, an RS256 token with an embedded jwk answers 401 Invalid token', async () => {
      expect401(await withToken(app, await attackerToken({ jwk: attackerJwk }, { sub: 'trick-target' })), INVALID);
    });
  });
});

describe(`after all of the above (${engineName})`, () => {
  test('nothing crashed: the service is alive and a valid token still works', async () => {
    expect((await app.request('/health')).status).toBe(200);
    const sent = await withToken(app, await app.createUser('survivor'));
    expect(sent.res.status).toBe(200);
  });
});
