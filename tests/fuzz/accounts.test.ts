import { unstorableText } from '../../src/http/body';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { expectAccepted, expectRefused, params, propertyTimeout, send, show } from './fuzz-kit';
import { accepts, componentSchema, explain, invalid, requestSchema, valid, type Schema } from './spec-arbitraries';

// Property-based fuzzing of registration and login, with bodies generated from openapi.yaml's
// Credentials and LoginCredentials schemas. Valid registrations must succeed and their exact
// password (any Unicode, emoji, NUL…) must log in while any other must not; bodies that break
// the contract must be refused with a 4xx problem+json, never a 5xx or a hang, and must create
// no account. Throttling is off here: it has its own suite.

const REGISTER = requestSchema('register');
const LOGIN = requestSchema('login');
const SESSION = componentSchema('Session');
const USER = componentSchema('User');

let app: TestApp;
let registered = 0;

beforeAll(async () => {
  app = await startTestApp({ REGISTER_RATE_LIMIT: '0', LOGIN_RATE_LIMIT: '0', LOGIN_IP_RATE_LIMIT: '0' });
});
afterAll(() => app.stop());

const usersInDatabase = async () => Number((await app.knex('users').count({ n: '*' }))[0].n);
const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

let serial = 0;
/**
 * A schema-valid Credentials body the prose allows too: an email not registered before (a
 * serial number is put in front of its local part, keeping it a valid address), at most 254
 * characters once trimmed; a password of at most 72 UTF-8 bytes that is not the email.
 */
/** Passwords of exactly 72 UTF-8 bytes, bcrypt's limit: the boundary worth hitting often. */
const atTheLimit = fc.constantFrom('x'.repeat(72), 'é'.repeat(36), '😀'.repeat(18), `${'a'.repeat(70)}é`, 'correct horse battery staple '.repeat(3).slice(0, 72));

const newAccount = fc
  .tuple(valid(REGISTER) as fc.Arbitrary<{ email: string; password: string }>, fc.option(atTheLimit, { freq: 3 }))
  .map(([{ email, password }, limit]) => {
    const [, space, rest] = /^(\s*)([\s\S]*)$/u.exec(email)!;
    return { email: `${space}u${++serial}.${rest}`, password: limit ?? password };
  })
  .filter(
    ({ email, password }) =>
      accepts(REGISTER, { email, password }) &&
      email.trim().length <= 254 &&
      utf8Bytes(password) <= 72 &&
      password.trim().toLowerCase() !== email.trim().toLowerCase(),
  );

/** The same address as a person might type it again: other case, other surrounding spaces. */
const retyped = (email: string) =>
  fc.constantFrom((e: string) => e, (e: string) => e.trim().toUpperCase(), (e: string) => `  ${e.trim()}\t`).map((f) => f(email));

/** A different password: one code point changed, added (often at the end) or removed. */
const otherPassword = (password: string) =>
  fc
    .tuple(fc.nat({ max: [...password].length }), fc.constantFrom('change', 'add', 'append', 'drop'), fc.constantFrom('x', 'Y', '0', '😀', ' ', '\u0000'))
    .map(([at, how, c]) => {
      const chars = [...password];
      if (how === 'change') chars[Math.min(at, chars.length - 1)] = chars[Math.min(at, chars.length - 1)] === c ? 'q' : c;
      if (how === 'add') chars.splice(at, 0, c);
      if (how === 'append') chars.push(c);
      if (how === 'drop') chars.splice(Math.min(at, chars.length - 1), 1);
      return chars.join('');
    })
    .filter((other) => other !== password);

/**
 * A wrong login is a 401; one whose body holds text PostgreSQL cannot store (U+0000, an unpaired
 * surrogate) is refused before that, as a 400 (src/http/body.ts, documented under 400).
 */
const refusals = (body: unknown) => (unstorableText(body) === undefined ? [401] : [400]);

describe('POST /auth/register and /auth/login', () => {
  test(
    'every account the contract allows is created (201), logs in with its exact password (200) and with no other',
    async () => {
      const scenario = newAccount.chain((account) =>
        fc.record({ account: fc.constant(account), typed: retyped(account.email), wrong: otherPassword(account.password), api: fc.boolean() }),
      );
      await fc.assert(
        fc.asyncProperty(scenario, async ({ account, typed, wrong, api }) => {
          const prefix = api ? '/api/auth' : '/auth';
          const created = await send(app, { method: 'POST', path: `${prefix}/register`, body: account });
          expectAccepted(created, 201, `register ${show(account)}`);
          registered += 1;
          if (!accepts(SESSION, created.json)) throw new Error(`register answered a body that is not a Session: ${explain(SESSION, created.json)}`);
          expect(created.json.user.email).toBe(account.email.trim().toLowerCase());

          const login = await send(app, { method: 'POST', path: `${prefix}/login`, body: { email: typed, password: account.password } });
          expectAccepted(login, 200, `login as ${show(typed)} with the registered password ${show(account.password)}`);
          expect(login.json.user.id).toBe(created.json.user.id);

          const me = await send(app, { method: 'GET', path: '/auth/me', token: login.json.access_token });
          expectAccepted(me, 200, 'GET /auth/me');
          expect(accepts(USER as Schema, me.json)).toBe(true);

          const refused = await send(app, { method: 'POST', path: `${prefix}/login`, body: { email: typed, password: wrong } });
          expectRefused(refused, `login with ${show(wrong)} instead of ${show(account.password)}`, refusals(wrong));
        }),
        params(),
      );
      expect(await usersInDatabase()).toBe(registered);
    },
    propertyTimeout(),
  );

  test(
    'every registration body that breaks the contract is refused with a 4xx problem and creates no account',
    async () => {
      const before = await usersInDatabase();
      const semantic = newAccount.chain(({ email }) =>
        fc.constantFrom(
          { rule: 'password is the email', value: { email, password: email.trim().toUpperCase() } },
          { rule: 'password over 72 bytes', value: { email, password: 'é'.repeat(37) } },
          { rule: 'password over 72 bytes', value: { email, password: '😀'.repeat(19) } },
          { rule: 'email over 254 characters', value: { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.org`, password: 'long enough password' } },
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: invalid(REGISTER) }, { weight: 1, arbitrary: semantic }), async (mutation) => {
          const answer = await send(app, { method: 'POST', path: '/auth/register', body: mutation.value });
          expectRefused(answer, `register with ${mutation.rule}: ${show(mutation.value)}`, 'huge' in mutation && mutation.huge ? [413] : []);
        }),
        params(),
      );
      expect(await usersInDatabase()).toBe(before);
    },
    propertyTimeout(),
  );

  test(
    'every login body that breaks the contract is a 4xx problem; a well-formed one for no account is a 401',
    async () => {
      const unknown = (valid(LOGIN) as fc.Arbitrary<{ email: string; password: string }>).map((body) => ({ ...body, email: [...`nobody.${body.email}`].slice(0, 254).join('') }));
      await fc.assert(
        fc.asyncProperty(fc.oneof(invalid(LOGIN).map((m) => ({ ...m, known: false })), unknown.map((value) => ({ rule: 'no such account', value, huge: false, known: true }))), async (m) => {
          const answer = await send(app, { method: 'POST', path: '/auth/login', body: m.value });
          if (m.known) {
            expectRefused(answer, `login for no account ${show(m.value)}`, refusals(m.value));
            if (unstorableText(m.value) === undefined) expect(answer.json.detail).toBe('Invalid email or password');
          } else expectRefused(answer, `login with ${m.rule}: ${show(m.value)}`, m.huge ? [413] : []);
        }),
        params(),
      );
    },
    propertyTimeout(),
  );
});
