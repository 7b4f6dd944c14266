/**
 * Dredd hooks for `npm run test:contract` (tests/contract/README.md says what dredd covers and
 * what it skips). Dredd makes one transaction per documented response: the request comes from
 * the spec's examples (the first named example of a body, the `example` of each parameter), the
 * expected response from its first example. These hooks turn each example request into one that
 * makes the service give that documented status:
 *
 *  - fixtures come from the spec's own examples (the Register and TaskCreate examples), and only
 *    what the service alone can mint is swapped in: user ids, task ids, ETags, cursors, tokens;
 *  - every task a transaction touches is fresh, so transactions never depend on each other;
 *  - 401/403/404/406/409/412/413/415/422/429/503 are provoked as a client would;
 *  - what no request can provoke against a healthy service (500, and 503 from the database or
 *    the rate-limit store) is skipped with its reason, and listed at the end.
 *
 * The service was started by scripts/contract-test.ts with TRUST_PROXY=true (each request names
 * its client IP in X-Forwarded-For, so the registration throttle is per transaction), small
 * throttle budgets (CONTRACT_REGISTER_LIMIT, CONTRACT_LOGIN_LIMIT) and a JWKS URL on a port
 * where nothing listens (an RS256 token gets the identity provider's 503).
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import hooks from 'hooks'; // injected by dredd (see dredd-hooks.d.ts)
import { deref } from '../helpers/spec';

type Transaction = hooks.Transaction;
type Json = Record<string, unknown>;

const root = path.resolve(__dirname, '../..');
const spec = yaml.load(fs.readFileSync(path.join(root, 'openapi.yaml'), 'utf8')) as Json;
const base = (process.env.CONTRACT_API_URL ?? String(hooks.configuration.endpoint ?? '')).replace(/\/$/, '');
const REGISTER_LIMIT = Number(process.env.CONTRACT_REGISTER_LIMIT ?? 3);
const LOGIN_LIMIT = Number(process.env.CONTRACT_LOGIN_LIMIT ?? 3);
const run = Date.now().toString(36);

// --- The spec: operations, and the examples fixtures are made from --------------------------

interface Operation {
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
}

function operationOf(t: Transaction): Operation {
  const item = (spec.paths as Json)[t.origin.resourceName] as Json;
  return item[t.request.method.toLowerCase()] as Operation;
}

/** The first named example of a request body (the one dredd sends), as the fixture to create. */
function requestExample(requestBody: string): Json {
  const body = deref<{ content: Record<string, { examples: Record<string, { value: Json }> }> }>(
    ((spec.components as Json).requestBodies as Json)[requestBody],
  );
  return structuredClone(Object.values(body.content['application/json'].examples)[0].value);
}

const CREDENTIALS = requestExample('Register') as { email: string; password: string };
const NEW_TASK = requestExample('TaskCreate');

// --- Talking to the service for fixtures ----------------------------------------------------

let ipCounter = 0;
/** A client address of its own for each request (198.18.0.0/15 is for benchmarks): the per-IP throttles never meet. */
const freshIp = () => `198.18.${(++ipCounter >> 8) & 255}.${ipCounter & 255}`;

async function call(method: string, url: string, opts: { token?: string; body?: unknown; ip?: string; accept?: string } = {}) {
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', 'X-Forwarded-For': opts.ip ?? freshIp() };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${url}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

async function expectStatus<T>(what: string, promise: ReturnType<typeof call>, status: number): Promise<T> {
  const res = await promise;
  if (res.status !== status) throw new Error(`fixture: ${what} answered ${res.status} (${JSON.stringify(res.json)}), expected ${status}`);
  return res as T;
}

interface User {
  id: string;
  email: string;
  password: string;
  token: string;
}

let userCounter = 0;
/** A new account from the Register example, its email made unique with a +tag. */
async function registerUser(label: string, ip?: string): Promise<User> {
  const [local, domain] = CREDENTIALS.email.split('@');
  const email = `${local}+${label}-${run}-${++userCounter}@${domain}`;
  const res = await expectStatus<{ json: { user: { id: string }; access_token: string } }>(
    `registering ${email}`,
    call('POST', '/auth/register', { body: { email, password: CREDENTIALS.password }, ip }),
    201,
  );
  return { id: res.json.user.id, email, password: CREDENTIALS.password, token: res.json.access_token };
}

/** A task of `user`'s from the TaskCreate example, with its ETag. */
async function createTask(user: User): Promise<{ id: string; etag: string }> {
  const res = await expectStatus<{ json: { id: string }; headers: Headers }>('creating a task', call('POST', '/tasks', { token: user.token, body: NEW_TASK }), 201);
  return { id: res.json.id, etag: res.headers.get('etag')! };
}

/** An RS256 token: verified with the identity provider's keys, which cannot be fetched (503). */
function providerToken(sub: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'contract' })}.${part({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}.c2lnbmF0dXJl`;
}

// --- Fixtures shared by every transaction ---------------------------------------------------

let alice: User; // the caller of every transaction
let bob: User; // someone else: his id and his task provoke 403 and 404
let bobsTask: string;
const throttledIp = '198.19.255.254';
let registerThrottled = false;
const throttledEmail = `throttled+${run}@example.org`;
let loginThrottled = false;
const skipped: { name: string; reason: string }[] = [];
let fixtureError: Error | undefined;

hooks.beforeAll((_transactions: Transaction[], done: hooks.Done) => {
  (async () => {
    alice = await registerUser('alice');
    bob = await registerUser('bob');
    bobsTask = (await createTask(bob)).id;
  })().then(done, (err: Error) => {
    fixtureError = err; // every transaction then fails with it
    done();
  });
});

// --- One transaction: from the example request to the request that gives the status ----------

interface Plan {
  path: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

function setHeader(plan: Plan, name: string, value: string | undefined) {
  for (const key of Object.keys(plan.headers)) if (key.toLowerCase() === name.toLowerCase()) delete plan.headers[key];
  if (value !== undefined) plan.headers[name] = value;
}

function jsonBody(plan: Plan): Json {
  return plan.body ? (JSON.parse(plan.body) as Json) : {};
}

function skip(t: Transaction, reason: string) {
  t.skip = true;
  skipped.push({ name: t.name, reason });
}

const SKIP_500 = 'no request makes a healthy service fail: the error funnel (500, details only in the log) is covered by tests/unit/error-handler.test.ts';
const SKIP_503 = 'needs the database (or the shared rate-limit store) down: tests/api/database-outage.test.ts takes the database away';

async function prepare(t: Transaction): Promise<void> {
  if (fixtureError) throw fixtureError;
  const status = Number(t.expected.statusCode);
  const method = t.request.method;
  const template = t.origin.resourceName;
  const op = operationOf(t);
  const secured = op.security === undefined; // no override: the global bearerAuth applies
  const hasBody = op.requestBody !== undefined;
  const isList = method === 'GET' && /\/tasks$/.test(template);

  const [, exampleQuery = ''] = t.request.uri.split('?');
  const plan: Plan = { path: {}, query: new URLSearchParams(exampleQuery), headers: { ...t.request.headers }, body: t.request.body };
  setHeader(plan, 'X-Forwarded-For', freshIp());
  // Dredd asks for exactly the media type of the response it expects (problem+json for an error),
  // but the service answers 406 to a client that cannot take what a success would be: a real client
  // takes anything as well, as curl does. The 406 transactions replace it below.
  const asked = Object.entries(plan.headers).find(([name]) => name.toLowerCase() === 'accept')?.[1];
  setHeader(plan, 'Accept', asked ? `${asked}, */*;q=0.1` : '*/*');

  // A valid request by a real caller, on real resources.
  if (secured) setHeader(plan, 'Authorization', `Bearer ${alice.token}`);
  if (template.includes('{user_id}')) plan.path.user_id = alice.id;
  if (plan.query.has('user_id')) plan.query.set('user_id', alice.id);
  if (plan.body && 'user_id' in jsonBody(plan)) plan.body = JSON.stringify({ ...jsonBody(plan), user_id: alice.id });
  if (template.includes('{task_id}')) {
    const task = await createTask(alice);
    plan.path.task_id = task.id;
    if (Object.keys(plan.headers).some((h) => h.toLowerCase() === 'if-match')) setHeader(plan, 'If-Match', task.etag);
  }
  if (isList && plan.query.has('cursor')) {
    // The example cursor is only a shape; a real one comes from a real first page. The page
    // asked for is not the last one either (dredd wants every documented header, Link included).
    for (let i = 0; i < 4; i++) await createTask(alice);
    plan.query.set('limit', '2');
    const filters = new URLSearchParams(plan.query);
    filters.delete('cursor');
    filters.set('limit', '1');
    const first = await call('GET', `/tasks?${filters}`, { token: alice.token });
    const cursor = /[?&]cursor=([^&>]+)/.exec(first.headers.get('link') ?? '')?.[1];
    if (!cursor) throw new Error(`fixture: no next page for ${filters} (Link: ${first.headers.get('link')})`);
    plan.query.set('cursor', decodeURIComponent(cursor));
  }

  let malformedUrl = false;
  const isRegister = /\/auth\/register$/.test(template);
  const isLogin = /\/auth\/login$/.test(template);
  const isDocument = /\/openapi\.(json|yaml)$/.test(template);

  switch (status) {
    case 200:
    case 201:
    case 204:
      if (isRegister) {
        const [local, domain] = CREDENTIALS.email.split('@');
        plan.body = JSON.stringify({ ...jsonBody(plan), email: `${local}+new-${run}-${++userCounter}@${domain}` });
      } else if (isLogin) {
        plan.body = JSON.stringify({ email: alice.email, password: alice.password });
      } else if (method === 'DELETE' && /\/auth\/me$/.test(template)) {
        setHeader(plan, 'Authorization', `Bearer ${(await registerUser('leaving')).token}`);
      }
      break;
    case 304: {
      const current = await call('GET', template, { accept: '*/*' });
      setHeader(plan, 'If-None-Match', current.headers.get('etag') ?? undefined);
      break;
    }
    case 400:
      if (hasBody) {
        plan.body = '{"title": ';
        setHeader(plan, 'Content-Type', 'application/json');
      } else {
        // No body to get wrong (one sent anyway is ignored): a URL that cannot be percent-decoded.
        malformedUrl = true;
      }
      break;
    case 401:
      if (isLogin) plan.body = JSON.stringify({ email: `nobody+${run}-${++userCounter}@example.org`, password: CREDENTIALS.password });
      else setHeader(plan, 'Authorization', undefined);
      break;
    case 403:
      if (template.includes('{user_id}')) plan.path.user_id = bob.id;
      else if (method === 'GET') plan.query.set('user_id', bob.id);
      else plan.body = JSON.stringify({ ...jsonBody(plan), user_id: bob.id });
      break;
    case 404:
      plan.path.task_id = bobsTask; // another user's task is simply not found
      break;
    case 406:
      setHeader(plan, 'Accept', 'text/html');
      break;
    case 409:
      plan.body = JSON.stringify({ email: alice.email, password: CREDENTIALS.password });
      break;
    case 412:
      setHeader(plan, 'If-Match', '"999999"');
      break;
    case 413:
      plan.body = JSON.stringify({ ...jsonBody(plan), title: 'x'.repeat(70_000) });
      setHeader(plan, 'Content-Type', 'application/json');
      break;
    case 415:
      plan.body = 'hello';
      setHeader(plan, 'Content-Type', 'text/plain');
      break;
    case 422:
      if (template.includes('{task_id}')) plan.path.task_id = 'not-a-uuid';
      else if (isList) plan.query.set('limit', '0');
      else if (isDocument) setHeader(plan, 'If-None-Match', `"${'x'.repeat(1100)}"`);
      else if (isRegister) plan.body = JSON.stringify({ email: 'not-an-email', password: CREDENTIALS.password });
      else if (isLogin) plan.body = JSON.stringify({ email: '', password: '' });
      else if (hasBody) plan.body = JSON.stringify({ title: '', colour: 'red' });
      else throw new Error(`no way to provoke 422 on ${method} ${template}`);
      break;
    case 429:
      if (isRegister) {
        setHeader(plan, 'X-Forwarded-For', throttledIp);
        if (!registerThrottled) {
          for (let i = 0; i < REGISTER_LIMIT; i++) await registerUser('throttle', throttledIp);
          registerThrottled = true;
        }
        const [local, domain] = CREDENTIALS.email.split('@');
        plan.body = JSON.stringify({ email: `${local}+over-${run}-${++userCounter}@${domain}`, password: CREDENTIALS.password });
      } else if (isLogin) {
        if (!loginThrottled) {
          for (let i = 0; i < LOGIN_LIMIT; i++) {
            await expectStatus('a failing login', call('POST', '/auth/login', { body: { email: throttledEmail, password: 'wrong password' } }), 401);
          }
          loginThrottled = true;
        }
        plan.body = JSON.stringify({ email: throttledEmail, password: 'wrong password' });
      } else {
        throw new Error(`429 is documented on ${method} ${template}, which is not throttled`);
      }
      break;
    case 500:
      return skip(t, SKIP_500);
    case 503:
      if (!secured) return skip(t, SKIP_503);
      setHeader(plan, 'Authorization', `Bearer ${providerToken(alice.id)}`);
      break;
    default:
      throw new Error(`no plan for status ${status}`);
  }

  const url = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(plan.path[name] ?? `{${name}}`));
  // %ZZ is no percent-encoding of anything: the service refuses the URL (400) before routing it.
  const query = [plan.query.toString(), malformedUrl ? 'q=%ZZ' : ''].filter(Boolean).join('&');
  t.fullPath = query ? `${url}?${query}` : url;
  t.request.uri = t.fullPath;
  t.request.headers = plan.headers;
  t.request.body = plan.body;
}

hooks.beforeEach((t: Transaction, done: hooks.Done) => {
  prepare(t).then(done, (err: Error) => {
    t.fail = `could not prepare the request: ${err.message}`;
    done();
  });
});

// Dredd compares Content-Type literally: `application/json; charset=utf-8` is the documented
// `application/json`. Compare media types, not parameters.
hooks.beforeEachValidation((t: Transaction) => {
  if (!t.real) return;
  for (const name of Object.keys(t.real.headers)) {
    if (name.toLowerCase() === 'content-type') t.real.headers[name] = t.real.headers[name].split(';')[0].trim();
  }
});

hooks.afterAll((_transactions: Transaction[], done: hooks.Done) => {
  if (skipped.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.name]);
    console.log(`\nSkipped ${skipped.length} transactions, on purpose:`);
    for (const [reason, names] of byReason) console.log(`  ${names.length} × ${reason}`);
  }
  done();
});
