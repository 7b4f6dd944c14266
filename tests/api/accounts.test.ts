import * as sdk from '../../generated/sdk.gen';
import { createClient } from '../../generated/client';
import { decodeJwt } from 'jose';
import { contractFetch } from '../helpers/contract';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { PASSWORD, registerAccount, uniqueEmail } from '../helpers/accounts';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const clientWith = (token: string) => createClient({ baseUrl: app.baseUrl, fetch: contractFetch as typeof fetch, auth: token });

describe('the journey through the SDK', () => {
  test('register, log in, look yourself up, and manage tasks with the issued token', async () => {
    const email = uniqueEmail('journey');
    const answer = await sdk.register({ client: app.anonymous(), body: { email, password: PASSWORD } });
    expect(answer.response?.status).toBe(201);
    const registered = answer.data!;
    expect(registered).toMatchObject({ user: { email }, token_type: 'bearer', expires_in: 3600 });
    expect(registered.user.id).toMatch(/^[0-9a-f-]{36}$/);

    const login = await sdk.login({ client: app.anonymous(), body: { email, password: PASSWORD } });
    expect(login.response?.status).toBe(200);
    expect(login.data!.user).toEqual(registered.user);
    const claims = decodeJwt(login.data!.access_token);
    expect(claims).toMatchObject({ sub: registered.user.id });
    expect(claims.exp! - claims.iat!).toBe(3600);

    const client = clientWith(login.data!.access_token);
    const me = await sdk.getMe({ client });
    expect(me.data).toEqual(registered.user);

    const created = await sdk.createTask({ client, body: { title: 'From my own account' } });
    expect(created.data!.user_id).toBe(registered.user.id);
    const listed = await sdk.listTasks({ client });
    expect(listed.data!.map((t) => t.id)).toEqual([created.data!.id]);
  });

  test('the /api/auth routes behave the same', async () => {
    const email = uniqueEmail('api');
    const res = await sdk.registerApi({ client: app.anonymous(), body: { email, password: PASSWORD } });
    expect(res.response?.status).toBe(201);
    const login = await sdk.loginApi({ client: app.anonymous(), body: { email, password: PASSWORD } });
    const me = await sdk.getMeApi({ client: clientWith(login.data!.access_token) });
    expect(me.data!.email).toBe(email);
  });
});

describe('registration', () => {
  test('the email is trimmed and stored lower-cased', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await post('/auth/register', { email: `  ${email.toUpperCase()} `, password: PASSWORD });
    expect(res.status).toBe(201);
    expect((await res.json()).user.email).toBe(email.toLowerCase());
  });

  test('the same email in another case is a 409', async () => {
    const email = uniqueEmail('taken');
    await registerAccount(app, email);
    const res = await post('/auth/register', { email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ status: 409, detail: 'An account with this email already exists' });
  });

  test.each([
    ['a missing password', { email: 'a@example.org' }, '/password', 'required'],
    ['an unknown property', { email: 'a@example.org', password: PASSWORD, admin: true }, '/admin', 'additionalProperties'],
    ['a password of 7 characters', { email: 'a@example.org', password: 'short12' }, '/password', 'minLength'],
    ['an email that is not an address', { email: 'not-an-email', password: PASSWORD }, '/email', 'pattern'],
    ['two @ signs', { email: 'a@@example.org', password: PASSWORD }, '/email', 'pattern'],
    ['a number for an email', { email: 42, password: PASSWORD }, '/email', 'type'],
  ])('%s is a 422 naming the field', async (_name, body, field, rule) => {
    const res = await post('/auth/register', body);
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toContainEqual(expect.objectContaining({ location: 'body', field, rule }));
  });

  test('an email over 254 characters is a 422', async () => {
    const res = await post('/auth/register', { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.org`, password: PASSWORD });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0]).toMatchObject({ field: '/email' });
  });

  test('a password of 73 bytes is refused, never truncated; 72 bytes are accepted', async () => {
    const tooLong = 'é'.repeat(36) + 'x'; // 37 characters, 73 bytes of UTF-8
    const res = await post('/auth/register', { email: uniqueEmail(), password: tooLong });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0]).toMatchObject({ field: '/password', rule: 'maxLength' });

    const email = uniqueEmail('bytes');
    const exactly72 = 'é'.repeat(36);
    await registerAccount(app, email, exactly72);
    const wrongTail = await post('/auth/login', { email, password: exactly72.slice(0, 35) + 'e' });
    expect(wrongTail.status).toBe(401);
    expect((await post('/auth/login', { email, password: exactly72 })).status).toBe(200);
  });

  test('the email itself is not a password, in any case', async () => {
    const email = uniqueEmail('self');
    const res = await post('/auth/register', { email, password: email.toUpperCase() });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0]).toMatchObject({ field: '/password', rule: 'not_email' });
  });

  test('no response carries the password or its hash', async () => {
    const res = await post('/auth/register', { email: uniqueEmail(), password: PASSWORD });
    const text = await res.text();
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toMatch(/\$2[aby]\$/);
    expect(text).not.toContain('password');
  });

  test('the hash is bcrypt and the password is not stored', async () => {
    const email = uniqueEmail('stored');
    await registerAccount(app, email);
    const row = await app.knex('users').where({ email }).first();
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$/); // bcrypt at the configured cost
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
  });
});

describe('login', () => {
  test('works with the email in any case and with surrounding spaces', async () => {
    const email = uniqueEmail('case');
    await registerAccount(app, email);
    const res = await post('/auth/login', { email: `  ${email.toUpperCase()}  `, password: PASSWORD });
    expect(res.status).toBe(200);
  });

  test('a wrong password and an unknown email give byte-identical answers', async () => {
    const email = uniqueEmail('known');
    await registerAccount(app, email);
    const headers = { 'x-request-id': 'same-request-id' };
    const wrong = await post('/auth/login', { email, password: 'not the password' }, headers);
    const unknown = await post('/auth/login', { email: uniqueEmail('nobody'), password: 'not the password' }, headers);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toBe(b);
    expect(JSON.parse(a)).toMatchObject({ detail: 'Invalid email or password' });
    const header = (r: Response) => [...r.headers.entries()].filter(([k]) => k !== 'date');
    expect(header(wrong)).toEqual(header(unknown));
  });

  test('a user known only from an external provider (no password) cannot log in with one', async () => {
    await app.knex('users').insert({ id: 'ext|123', email: 'ext.user@example.org' });
    const res = await post('/auth/login', { email: 'ext.user@example.org', password: PASSWORD });
    expect(res.status).toBe(401);
  });

  test('a malformed login body is a 422', async () => {
    const res = await post('/auth/login', { email: 'a@example.org' });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0]).toMatchObject({ field: '/password', rule: 'required' });
  });
});

describe('the account itself', () => {
  test('GET /auth/me without a token is 401 Missing authentication', async () => {
    const res = await app.request('/auth/me');
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toBe('Missing authentication');
  });

  test('DELETE /auth/me deletes the account and its tasks; the token then stops working', async () => {
    const session = await registerAccount(app, uniqueEmail('leaving'));
    const client = clientWith(session.access_token);
    await sdk.createTask({ client, body: { title: 'one' } });
    await sdk.createTask({ client, body: { title: 'two' } });

    const res = await sdk.deleteMe({ client });
    expect(res.response?.status).toBe(204);

    const after = await sdk.listTasks({ client });
    expect(after.response?.status).toBe(401);
    expect(after.error).toMatchObject({ detail: 'Invalid token' });
    expect((await sdk.getMe({ client })).response?.status).toBe(401);
    const [{ count }] = await app.knex('tasks').where({ user_id: session.user.id }).count({ count: '*' });
    expect(Number(count)).toBe(0);
  });

  test('the email of a deleted account can be registered again', async () => {
    const email = uniqueEmail('again');
    const first = await registerAccount(app, email);
    await sdk.deleteMe({ client: clientWith(first.access_token) });
    const second = await registerAccount(app, email);
    expect(second.user.id).not.toBe(first.user.id);
  });
});
