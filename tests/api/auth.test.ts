import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { base64url, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { OpenAPIV3 } from 'openapi-types';
import * as sdk from '../../generated/sdk.gen';
import { createClient } from '../../generated/client';
import { contractFetch } from '../helpers/contract';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_SECRET, tokenFor } from '../helpers/tokens';
import { expectProblem } from '../helpers/problems';

// Bearer authentication: which tokens are refused and with which `detail`, where the caller's id
// comes from, users provisioned on first use, external (non-UUID) ids, and X-Request-Id.

const MISSING = 'Missing authentication';
const EXPIRED = 'Token expired';
const INVALID = 'Invalid token';

const secret = new TextEncoder().encode(TEST_SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------
// Every operation of the contract that requires a token, with a valid request for it
// ---------------------------------------------------------------------------------------------

const document = yaml.load(fs.readFileSync(path.join(__dirname, '../../openapi.yaml'), 'utf8')) as OpenAPIV3.Document;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

const securedOps = Object.entries(document.paths).flatMap(([template, item]) =>
  METHODS.filter((method) => item?.[method])
    .filter((method) => (item![method]!.security ?? document.security ?? []).length > 0)
    .map((method) => ({ name: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template })),
);
// The open reads (meta routes); register and login are open too, and covered by accounts.test.ts.
const openOps = Object.entries(document.paths).flatMap(([template, item]) =>
  METHODS.filter((method) => method === 'get' && item?.[method] && (item[method]!.security ?? document.security ?? []).length === 0).map(
    (method) => ({ name: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template }),
  ),
);

function concreteUrl(template: string): string {
  return template.replace('{task_id}', crypto.randomUUID()).replace('{user_id}', 'alice');
}

function validBodyFor(method: string, template: string): string | undefined {
  if (method === 'POST' || method === 'PUT' || (method === 'PATCH' && !/toggle|complete$/.test(template))) {
    return JSON.stringify({ title: 'Authenticated only' });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

async function get(app: TestApp, url: string, headers: Record<string, string> = {}) {
  const res = await app.request(url, { headers });
  const text = await res.text();
  return { res, json: text ? JSON.parse(text) : undefined };
}

async function withToken(app: TestApp, token: string, url = '/tasks') {
  return get(app, url, { authorization: `Bearer ${token}` });
}

/** 401 with the exact detail and a Bearer challenge (RFC 6750: error="invalid_token" for a bad token). */
function expect401(sent: { res: Response; json: any }, detail: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expectProblem(sent, 401, detail);
  expect(sent.json.title).toBe('Unauthorized');
  const challenge = sent.res.headers.get('www-authenticate');
  expect(challenge).toMatch(/^Bearer( |$)/);
  if (detail !== MISSING) expect(challenge).toContain('error="invalid_token"');
}

function b64json(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** An HS256 token for `claims` signed with the test secret, without tokenFor's `sub`. */
function signClaims(claims: JWTPayload, alg = 'HS256', key: Parameters<SignJWT['sign']>[0] = secret): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt().setExpirationTime('1h').sign(key);
}

// ---------------------------------------------------------------------------------------------

let app: TestApp;
let aliceToken: string;

beforeAll(async () => {
  app = await startTestApp();
  aliceToken = await app.createUser('alice');
});
afterAll(() => app.stop());

describe('a request without a bearer token', () => {
  test('the contract marks every task and account operation as secured', () => {
    expect(securedOps.length).toBeGreaterThanOrEqual(28);
    expect(securedOps.every((op) => op.template.includes('/tasks') || op.template.endsWith('/auth/me'))).toBe(true);
  });

  test.each(securedOps)('$name without Authorization answers 401 Missing authentication', async (op) => {
    const body = validBodyFor(op.method, op.template);
    const res = await app.request(concreteUrl(op.template), {
      method: op.method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body,
    });
    const text = await res.text();

    expect401({ res, json: JSON.parse(text) }, MISSING);
  });

  test.each([
    ['a Basic scheme', `Basic ${Buffer.from('alice:password').toString('base64')}`],
    ['"Bearer" with nothing after it', 'Bearer'],
    ['"Bearer " with only spaces after it', 'Bearer    '],
    ['another scheme carrying a valid token', 'Token <valid>'],
    ['a bare token without a scheme', '<valid>'],
  ])('%s answers 401 Missing authentication', async (_name, header) => {
    const sent = await get(app, '/tasks', { authorization: header.replace('<valid>', aliceToken) });

    expect401(sent, MISSING);
  });

  test('a valid token in the query string (?access_token=…) is not accepted', async () => {
    const sent = await get(app, `/tasks?access_token=${encodeURIComponent(aliceToken)}`);

    expect401(sent, MISSING);
  });

  test('the scheme name is case-insensitive (RFC 7235): "bearer <token>" is accepted', async () => {
    const sent = await get(app, '/tasks', { authorization: `bearer ${aliceToken}` });

    expect(sent.res.status).toBe(200);
  });

  test.each(openOps)('$name stays open without a token', async (op) => {
    const res = await app.request(op.template);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });
});

describe('tokens that are refused', () => {
  test('an expired token answers 401 Token expired', async () => {
    const token = await tokenFor('alice', { expiresIn: nowSeconds() - 60 });

    expect401(await withToken(app, token), EXPIRED);
  });

  test('an expired token with a bad signature answers Invalid token, not Token expired', async () => {
    const token = await tokenFor('alice', { expiresIn: nowSeconds() - 60, secret: 'another-secret-that-is-long-enough-for-hs256-xx' });

    expect401(await withToken(app, token), INVALID);
  });

  const invalid: Array<[string, () => Promise<string>]> = [
    ['a token signed with another secret', () => tokenFor('alice', { secret: 'another-secret-that-is-long-enough-for-hs256-xx' })],
    [
      'a token whose signature was altered',
      async () => {
        const [header, payload, signature] = (await tokenFor('alice')).split('.');
        const bytes = base64url.decode(signature);
        bytes[0] ^= 0xff;
        return `${header}.${payload}.${base64url.encode(bytes)}`;
      },
    ],
    [
      "bob's claims under alice's signature",
      async () => {
        const [header, , signature] = (await tokenFor('alice')).split('.');
        return `${header}.${b64json({ sub: 'bob', iat: nowSeconds(), exp: nowSeconds() + 3600 })}.${signature}`;
      },
    ],
    [
      'a token with its signature removed',
      async () => {
        const [header, payload] = (await tokenFor('alice')).split('.');
        return `${header}.${payload}.`;
      },
    ],
    ['a malformed token (not a JWT)', async () => 'not-a-jwt'],
    ['a malformed token (three garbage segments)', async () => 'abc.def.ghi'],
    ['a malformed token (two segments)', async () => (await tokenFor('alice')).split('.').slice(0, 2).join('.')],
    ['a malformed token (payload is not JSON)', async () => {
      const [header, , signature] = (await tokenFor('alice')).split('.');
      return `${header}.${base64url.encode('not json')}.${signature}`;
    }],
    [
      'an alg "none" token',
      async () => `${b64json({ alg: 'none' })}.${b64json({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 3600 })}.`,
    ],
    [
      'an alg "none" token with typ JWT',
      async () => `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json({ sub: 'alice', exp: nowSeconds() + 3600 })}.`,
    ],
    ['an HS512 token signed with the right secret', () => signClaims({ sub: 'alice' }, 'HS512')],
    ['an HS384 token signed with the right secret', () => signClaims({ sub: 'alice' }, 'HS384')],
    [
      'an RS256 token',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return signClaims({ sub: 'alice' }, 'RS256', privateKey);
      },
    ],
    [
      'an ES256 token',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return signClaims({ sub: 'alice' }, 'ES256', privateKey);
      },
    ],
    ['a token that is not valid yet (nbf in the future)', () => tokenFor('alice', { notBefore: '1h' })],
    ['a token without sub, user_id or id', () => tokenFor(undefined)],
    ['a token whose only subject claim is empty', () => signClaims({ sub: '' })],
    ['a token for a user who has no users row', () => tokenFor('nobody-here')],
  ];

  test.each(invalid)('%s answers 401 Invalid token', async (_name, make) => {
    const token = await make();

    expect401(await withToken(app, token), INVALID);
  });

  test('a refused token creates no users row when provisioning is off', async () => {
    expect401(await withToken(app, await tokenFor('never-provisioned', { claims: { email: 'x@example.com' } })), INVALID);

    expect(await app.knex('users').where({ id: 'never-provisioned' }).first()).toBeUndefined();
  });
});

describe('the caller\'s id comes from sub, then user_id, then id', () => {
  beforeAll(async () => {
    for (const id of ['sub-user', 'uid-user', 'id-user']) await app.createUser(id);
  });

  test.each([
    ['sub', { sub: 'sub-user', user_id: 'uid-user', id: 'id-user' }, 'sub-user'],
    ['user_id when there is no sub', { user_id: 'uid-user', id: 'id-user' }, 'uid-user'],
    ['id when there is neither sub nor user_id', { id: 'id-user' }, 'id-user'],
  ])('%s names the caller', async (_name, claims, expected) => {
    const token = await signClaims(claims);
    const client = createClient({ baseUrl: app.baseUrl, fetch: contractFetch as typeof fetch, auth: token });

    const created = await sdk.createTask({ client, body: { title: `made by ${expected}` } });
    const listed = await sdk.listTasks({ client, query: { limit: 100 } });

    expect(created.response?.status).toBe(201);
    expect(created.data!.user_id).toBe(expected);
    expect(listed.data!.map((t) => t.id)).toContain(created.data!.id);
    expect(listed.data!.every((t) => t.user_id === expected)).toBe(true);
  });
});

describe('with JWT_ISSUER and JWT_AUDIENCE set', () => {
  const ISSUER = 'https://auth.example.test/';
  const AUDIENCE = 'task-api';
  let scoped: TestApp;

  beforeAll(async () => {
    scoped = await startTestApp({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    await scoped.createUser('alice');
  });
  afterAll(() => scoped.stop());

  test('a token with the right issuer and audience is accepted', async () => {
    const sent = await withToken(scoped, await tokenFor('alice', { issuer: ISSUER, audience: AUDIENCE }));

    expect(sent.res.status).toBe(200);
  });

  test.each([
    ['the wrong issuer', { issuer: 'https://evil.example.test/', audience: AUDIENCE }],
    ['the wrong audience', { issuer: ISSUER, audience: 'another-api' }],
    ['no issuer', { audience: AUDIENCE }],
    ['no audience', { issuer: ISSUER }],
  ])('a token with %s answers 401 Invalid token', async (_name, opts) => {
    expect401(await withToken(scoped, await tokenFor('alice', opts)), INVALID);
  });

  test('an expired token with the right issuer and audience still says Token expired', async () => {
    const token = await tokenFor('alice', { issuer: ISSUER, audience: AUDIENCE, expiresIn: nowSeconds() - 60 });

    expect401(await withToken(scoped, token), EXPIRED);
  });
});

describe('with AUTH_PROVISION_USERS=true', () => {
  let open: TestApp;

  beforeAll(async () => {
    open = await startTestApp({ AUTH_PROVISION_USERS: 'true' });
  });
  afterAll(() => open.stop());

  test('the first request of an unknown subject creates its users row, email lower-cased, and succeeds', async () => {
    const token = await tokenFor('newcomer', { claims: { email: 'New.Comer@Example.COM' } });

    const first = await withToken(open, token);
    const created = await open.request('/tasks', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'First task' }),
    });

    expect(first.res.status).toBe(200);
    expect(first.json).toEqual([]);
    expect(created.status).toBe(201);
    expect((await created.json()).user_id).toBe('newcomer');
    const rows = await open.knex('users').where({ id: 'newcomer' });
    expect(rows).toHaveLength(1);
    expect(rows[0].email).toBe('new.comer@example.com');
  });

  test('a subject without an email claim is provisioned with no email', async () => {
    const sent = await withToken(open, await tokenFor('no-mail'));

    expect(sent.res.status).toBe(200);
    const row = await open.knex('users').where({ id: 'no-mail' }).first();
    expect(row).toBeDefined();
    expect(row.email).toBeNull();
  });

  test('a user_id claim is provisioned just like sub', async () => {
    const sent = await withToken(open, await signClaims({ user_id: 'claimed-by-user-id' }));

    expect(sent.res.status).toBe(200);
    expect(await open.knex('users').where({ id: 'claimed-by-user-id' }).first()).toBeDefined();
  });

  test('invalid or expired tokens are still refused and provision nothing', async () => {
    expect401(await withToken(open, await tokenFor('ghost-expired', { expiresIn: nowSeconds() - 60 })), EXPIRED);
    expect401(await withToken(open, await tokenFor('ghost-forged', { secret: 'another-secret-that-is-long-enough-for-hs256-xx' })), INVALID);
    expect401(await withToken(open, `${b64json({ alg: 'none' })}.${b64json({ sub: 'ghost-none' })}.`), INVALID);

    expect(await open.knex('users').whereIn('id', ['ghost-expired', 'ghost-forged', 'ghost-none'])).toEqual([]);
  });

  test('a provisioned user with a non-UUID external id works on every family', async () => {
    const id = 'auth0|provisioned42';
    const client = createClient({ baseUrl: open.baseUrl, fetch: contractFetch as typeof fetch, auth: await tokenFor(id) });

    const created = await sdk.createTaskForUser({ client, path: { user_id: id }, body: { title: 'Provisioned' } });

    expect(created.response?.status).toBe(201);
    expect(created.data!.user_id).toBe(id);
    expect((await sdk.getTaskApi({ client, path: { task_id: created.data!.id } })).response?.status).toBe(200);
  });
});

describe('non-UUID external ids work end to end', () => {
  test.each(['auth0|abc123', 'user_2NNEqL2nrIRdJ194ndJqAHwEfxC'])('%s can use every task route', async (id) => {
    const client = await app.clientFor(id);

    // canonical family
    const created = await sdk.createTask({ client, body: { title: 'External' } });
    expect(created.response?.status).toBe(201);
    expect(created.data!.user_id).toBe(id);
    const task_id = created.data!.id;
    expect((await sdk.getTask({ client, path: { task_id }, query: { user_id: id } })).response?.status).toBe(200);
    expect((await sdk.listTasks({ client, query: { user_id: id } })).data!.map((t) => t.id)).toEqual([task_id]);
    expect((await sdk.updateTask({ client, path: { task_id }, body: { priority: 'high', user_id: id } })).data!.priority).toBe('high');
    expect((await sdk.replaceTask({ client, path: { task_id }, body: { title: 'Replaced' } })).data!.title).toBe('Replaced');
    expect((await sdk.toggleTask({ client, path: { task_id } })).data!.completed).toBe(true);
    expect((await sdk.completeTask({ client, path: { task_id }, body: { completed: false } })).data!.completed).toBe(false);

    // owner-in-path family, the id percent-encoded by the SDK
    const owned = await sdk.createTaskForUser({ client, path: { user_id: id }, body: { title: 'Owned' } });
    expect(owned.response?.status).toBe(201);
    expect(owned.response?.headers.get('location')).toBe(`/api/${encodeURIComponent(id)}/tasks/${owned.data!.id}`);
    const path = { user_id: id, task_id: owned.data!.id };
    expect((await sdk.getTaskForUser({ client, path })).data!.title).toBe('Owned');
    expect((await sdk.listTasksForUser({ client, path: { user_id: id } })).data!).toHaveLength(2);
    expect((await sdk.updateTaskForUser({ client, path, body: { title: 'Owned 2' } })).data!.title).toBe('Owned 2');
    expect((await sdk.replaceTaskForUser({ client, path, body: { title: 'Owned 3' } })).data!.title).toBe('Owned 3');
    expect((await sdk.toggleTaskForUser({ client, path })).data!.completed).toBe(true);
    expect((await sdk.completeTaskForUser({ client, path, body: { completed: true } })).data!.completed).toBe(true);
    expect((await sdk.deleteTaskForUser({ client, path })).response?.status).toBe(204);

    // /api family
    expect((await sdk.getTaskApi({ client, path: { task_id } })).data!.user_id).toBe(id);
    expect((await sdk.deleteTaskApi({ client, path: { task_id } })).response?.status).toBe(204);
    expect((await sdk.listTasksApi({ client })).data!).toEqual([]);
  });

  test('an external id is still only an owner check: another external id in the path answers 403', async () => {
    const client = await app.clientFor('auth0|abc123');

    const res = await sdk.listTasksForUser({ client, path: { user_id: 'auth0|someone-else' } });

    expect(res.response?.status).toBe(403);
    expect(res.error).toMatchObject({ status: 403, detail: 'user_id does not match the authenticated user' });
  });
});

describe('X-Request-Id', () => {
  const SANE = /^[A-Za-z0-9._-]{1,128}$/;

  test.each([
    ['a short id', 'req-42_A.b'],
    ['a UUID', '6f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f'],
    ['128 characters', 'a'.repeat(128)],
  ])('%s is echoed', async (_name, id) => {
    const res = await app.request('/tasks', { headers: { authorization: `Bearer ${aliceToken}`, 'x-request-id': id } });
    await res.arrayBuffer();

    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  test.each([
    ['129 characters', 'a'.repeat(129)],
    ['200 characters', 'b'.repeat(200)],
    ['spaces', 'has some spaces'],
    ['a slash', 'a/b'],
    ['a quote and a semicolon', 'x";y'],
    ['percent signs', '%C3%A9t%C3%A9'],
  ])('an id with %s is replaced by a sane generated one', async (_name, id) => {
    const res = await app.request('/tasks', { headers: { authorization: `Bearer ${aliceToken}`, 'x-request-id': id } });
    await res.arrayBuffer();

    const echoed = res.headers.get('x-request-id')!;
    expect(echoed).not.toBe(id);
    expect(echoed).toMatch(SANE);
  });

  test('without one, each response gets its own generated id', async () => {
    const first = await app.request('/health');
    const second = await app.request('/health');
    await Promise.all([first.arrayBuffer(), second.arrayBuffer()]);

    expect(first.headers.get('x-request-id')).toMatch(SANE);
    expect(second.headers.get('x-request-id')).toMatch(SANE);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  test('a 401 echoes the id too, in the header and in the problem body when it carries one', async () => {
    const sent = await get(app, '/tasks', { 'x-request-id': 'trace-401' });

    expect401(sent, MISSING);
    expect(sent.res.headers.get('x-request-id')).toBe('trace-401');
    if (sent.json.request_id !== undefined) expect(sent.json.request_id).toBe('trace-401');
  });
});
