import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { engineName } from '../helpers/engine';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_SECRET } from '../helpers/tokens';
import type { Task } from './helpers/api';
import { connect, readResponse } from '../helpers/raw-http';
import { send } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

// Hostile request bodies and parameters, on the engine of this run: over-long, over-deep,
// over-wide, mis-typed, mis-encoded, prototype-polluting, SQL- and script-laden. Each gets a
// prompt 4xx problem+json (or is stored as inert data), never a 500, and the service keeps
// serving. Payloads that are data (SQL, HTML) come back byte for byte, as JSON that browsers
// will not sniff into anything else.

jest.setTimeout(60_000);

let app: TestApp;
/** The same stack with BODY_LIMIT=4mb: room for payloads far beyond what a 64 KB limit lets in. */
let roomy: TestApp;
let token: string;

beforeAll(async () => {
  // One after the other: two PGlite instances booting at once on two cores can outlast the acquire timeout.
  app = await startTestApp();
  roomy = await startTestApp({ BODY_LIMIT: '4mb' });
  token = await app.createUser('hostile');
  await roomy.createUser('hostile');
});
afterAll(async () => {
  await Promise.all([app?.stop(), roomy?.stop()]);
});

const auth = () => ({ authorization: `Bearer ${token}` });

async function expectStillServing(target: TestApp = app) {
  const res = await target.request('/tasks?limit=1', { headers: auth() });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

describe(`bodies over the limit (${engineName})`, () => {
  test('a Content-Length of 10 MB answers 413 at once: the server does not wait for (or read) the body', async () => {
    // Arrange
    const conn = await connect(Number(new URL(app.baseUrl).port));

    // Act: announce 10 MB, send a dozen bytes, and then nothing.
    await conn.write(
      `POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n{"title":"x`,
    );
    const answer = await readResponse(conn, 15_000);

    // Assert
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 413 });
    conn.destroy();
    await expectStillServing();
  });

  test('a chunked body that grows past the limit answers 413 without waiting for its end', async () => {
    // Arrange
    const conn = await connect(Number(new URL(app.baseUrl).port));
    await conn.write(`POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);

    // Act: 128 KB in 8 KB chunks (twice the 64 KB limit), never the terminating chunk.
    const chunk = 'a'.repeat(8192);
    await conn.write(`${(10).toString(16)}\r\n{"title":"\r\n`);
    for (let i = 0; i < 16 && !conn.isClosed(); i++) await conn.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const answer = await readResponse(conn, 15_000);

    // Assert
    expect(answer.status).toBe(413);
    conn.destroy();
    await expectStillServing();
  });

  test('a gzip bomb (10 MB of JSON in 10 KB) answers 413, never inflated past the limit', async () => {
    const json = Buffer.concat([Buffer.from('{"title":"x","description":"'), Buffer.alloc(10 * 1024 * 1024, 0x20), Buffer.from('"}')]);
    const bomb = zlib.gzipSync(json);
    expect(bomb.length).toBeLessThan(64 * 1024);

    const sent = await send(app, 'POST', '/tasks', { token, raw: bomb, headers: { 'content-encoding': 'gzip' } });

    expectProblem(sent, [413, 415]);
    await expectStillServing();
  });
});

describe(`bodies of the wrong kind (${engineName})`, () => {
  test.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/json',
    'application/json-patch+json',
    'application/vnd.api+json',
  ])('Content-Type %s answers 415', async (type) => {
    expectProblem(await send(app, 'POST', '/tasks', { token, raw: '{"title":"typed"}', headers: { 'content-type': type } }), 415);
  });

  test('a body without any Content-Type answers 415', async () => {
    const res = await app.request('/tasks', { method: 'POST', headers: auth(), body: new Blob(['{"title":"untyped"}']) });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('merge-patch on POST (which takes only application/json) answers 415', async () => {
    expectProblem(await send(app, 'POST', '/tasks', { token, raw: '{"title":"x"}', headers: { 'content-type': 'application/merge-patch+json' } }), 415);
  });

  test('a valid gzip-encoded JSON body is decoded (201) or refused as an unsupported coding (415), not called invalid UTF-8', async () => {
    const sent = await send(app, 'POST', '/tasks', { token, raw: zlib.gzipSync(Buffer.from('{"title":"zipped"}')), headers: { 'content-encoding': 'gzip' } });

    if (sent.status === 201) expect((sent.json as Task).title).toBe('zipped');
    else expectProblem(sent, 415);
  });

  test.each([
    ['gzip that is not gzip', 'gzip', Buffer.from('{"title":"plain text, not gzip"}')],
    ['brotli that is not brotli', 'br', Buffer.from('{"title":"plain text, not brotli"}')],
    ['deflate that is not deflate', 'deflate', Buffer.from('{"title":"plain text, not deflate"}')],
    ['an unknown coding', 'x-rot13', Buffer.from('{"title":"rot13"}')],
  ])('a Content-Encoding of %s answers 4xx problem+json, not 500', async (_name, coding, body) => {
    const sent = await send(app, 'POST', '/tasks', { token, raw: body, headers: { 'content-encoding': coding } });

    expectProblem(sent, [400, 415]);
    await expectStillServing();
  });
});

describe(`deep, wide and long JSON (${engineName})`, () => {
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  test.each([
    ['a 10 000-level array as the whole body', () => deepArray(10_000)],
    ['a 10 000-level array as the title', () => `{"title":${deepArray(10_000)}}`],
    ['a 10 000-level object under an unknown key', () => `{"title":"x","extra":${deepObject(10_000)}}`],
    ['a 10 000-level object as user_id', () => `{"title":"x","user_id":${deepObject(10_000)}}`],
    ['a 10 000-level object as due_date', () => `{"title":"x","due_date":${deepObject(10_000)}}`],
    ['a 25 000-element array as the body', () => `[${Array(25_000).fill('0').join(',')}]`],
    ['a 15 000-element array as the title', () => `{"title":[${Array(15_000).fill('"x"').join(',')}]}`],
    ['a 60 000-character title', () => JSON.stringify({ title: 'x'.repeat(60_000) })],
    ['a 60 000-character key', () => `{"title":"x","${'k'.repeat(60_000)}":1}`],
    ['a 10 001-character description', () => JSON.stringify({ title: 'x', description: 'd'.repeat(10_001) })],
    ['5 000 unknown keys', () => JSON.stringify(Object.fromEntries([['title', 'x'], ...Array.from({ length: 5000 }, (_, i) => [`k${i}`, 0])]))],
  ])('%s answers 4xx problem+json (within the 64 KB limit)', async (_name, make) => {
    const body = make();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(64 * 1024);

    const sent = await send(app, 'POST', '/tasks', { token, raw: body });

    expectProblem(sent, [400, 413, 422]);
    await expectStillServing();
  });

  test.each([
    ['a 500 000-level array', () => `{"title":"x","description":${deepArray(500_000)}}`],
    ['a 300 000-level object', () => `{"title":"x","extra":${deepObject(300_000)}}`],
    ['a 3 000 000-character title', () => JSON.stringify({ title: 'x'.repeat(3_000_000) })],
    ['a 400 000-element array', () => `{"title":[${Array(400_000).fill('1').join(',')}]}`],
  ])('with BODY_LIMIT=4mb, %s answers 4xx problem+json and the service keeps serving', async (_name, make) => {
    const sent = await send(roomy, 'POST', '/tasks', { token, raw: make() });

    expectProblem(sent, [400, 422]);
    // The answer names the field; it does not echo the payload back.
    expect(sent.text.length).toBeLessThan(4096);
    await expectStillServing(roomy);
  });

  test('the same payloads are refused on PATCH and PUT of an existing task, which stays unchanged', async () => {
    const created = await send(app, 'POST', '/tasks', { token, raw: JSON.stringify({ title: 'target' }) });
    const id = (created.json as Task).id;

    for (const [method, body] of [
      ['PATCH', `{"description":${deepArray(10_000)}}`],
      ['PATCH', `{"title":"${'x'.repeat(60_000)}"}`],
      ['PUT', `{"title":"x","extra":${deepObject(10_000)}}`],
    ] as const) {
      expectProblem(await send(app, method, `/tasks/${id}`, { token, raw: body }), [400, 422]);
    }

    const after = await app.request(`/tasks/${id}`, { headers: auth() });
    expect(await after.json()).toEqual(created.json);
  });
});

describe(`text encodings (${engineName})`, () => {
  test.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a sequence cut short', [0xe2, 0x82]],
    ['an encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['the byte 0xFF', [0xff]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('invalid UTF-8 (%s) in a value answers 400', async (_name, bytes) => {
    const body = Buffer.concat([Buffer.from('{"title":"a'), Buffer.from(bytes), Buffer.from('b"}')]);

    expectProblem(await send(app, 'POST', '/tasks', { token, raw: body }), 400);
  });

  test('invalid UTF-8 in a key answers 400', async () => {
    const body = Buffer.concat([Buffer.from('{"title":"ok","'), Buffer.from([0xff]), Buffer.from('":1}')]);

    expectProblem(await send(app, 'POST', '/tasks', { token, raw: body }), 400);
  });

  test('invalid UTF-8 as the very last byte of the body answers 400', async () => {
    const body = Buffer.concat([Buffer.from('{"title":"ok"}'), Buffer.from([0xc3])]);

    expectProblem(await send(app, 'POST', '/tasks', { token, raw: body }), 400);
  });

  test('valid UTF-8 split across TCP packets mid-character is accepted and stored intact', async () => {
    // Arrange: "é" (C3 A9), "€" (E2 82 AC) and "😀" (F0 9F 98 80), each cut between two writes.
    const title = 'café € 😀 done';
    const bytes = Buffer.from(JSON.stringify({ title }));
    const cuts = [bytes.indexOf(0xc3) + 1, bytes.indexOf(0xe2) + 2, bytes.indexOf(0xf0) + 3];
    const conn = await connect(Number(new URL(app.baseUrl).port));
    await conn.write(`POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`);

    // Act
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      await conn.write(bytes.subarray(from, cut));
      from = cut;
      await new Promise((r) => setTimeout(r, 50)); // separate packets, not one coalesced write
    }
    const answer = await readResponse(conn);
    conn.destroy();

    // Assert
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).title).toBe(title);
  });

  test('a NUL character (\\u0000), which PostgreSQL text cannot hold, answers 4xx, not 500', async () => {
    for (const body of ['{"title":"a\\u0000b"}', '{"title":"ok","description":"d\\u0000"}']) {
      const sent = await send(app, 'POST', '/tasks', { token, raw: body });

      expectProblem(sent, [400, 422]);
    }
    await expectStillServing();
  });

  test('a lone surrogate escape (\\ud800) is refused or stored as sent, never silently replaced', async () => {
    const sent = await send(app, 'POST', '/tasks', { token, raw: '{"title":"x\\ud800y"}' });

    if (sent.status === 201) expect((sent.json as Task).title).toBe('x\ud800y');
    else expectProblem(sent, [400, 422]);
  });
});

describe(`prototype pollution (${engineName})`, () => {
  const polluted = () => Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).polluted !== undefined;

  afterEach(() => {
    // In-process: the service's objects share this realm's Object.prototype. Clean up if a test
    // failed, so one pollution does not fail every later test too.
    for (const key of Object.keys(Object.prototype)) delete (Object.prototype as Record<string, unknown>)[key];
  });

  test.each([
    ['POST', '/tasks', '{"title":"p","__proto__":{"polluted":"yes"}}'],
    ['POST', '/tasks', '{"title":"p","constructor":{"prototype":{"polluted":"yes"}}}'],
    ['POST', '/tasks', '{"title":"p","prototype":{"polluted":"yes"}}'],
    ['POST', '/tasks', '{"title":"p","description":"d","__proto__":{"title":"overridden","polluted":"yes"}}'],
    ['POST', '/auth/register', '{"email":"proto@example.org","password":"correct horse battery","__proto__":{"polluted":"yes"}}'],
    ['POST', '/auth/login', '{"email":"proto@example.org","password":"x","constructor":{"prototype":{"polluted":"yes"}}}'],
  ])('%s %s with %s is refused (400/422) or inert, and nothing is polluted', async (method, path, body) => {
    // Act
    const sent = await send(app, method, path, { token, raw: body });

    // Assert
    expect([200, 201, 400, 401, 422]).toContain(sent.status);
    expect(polluted()).toBe(false);
    if (sent.status === 201 && path === '/tasks') expect(Object.keys(sent.json as object)).not.toContain('polluted');
    const later = await send(app, 'POST', '/tasks', { token, raw: '{"title":"later"}' });
    expect(later.status).toBe(201);
    expect(later.text).not.toContain('polluted');
    expect(later.text).not.toContain('overridden');
  });

  test('PATCH and merge-patch with __proto__ / constructor keys are refused or inert; the task keeps its fields', async () => {
    const created = (await send(app, 'POST', '/tasks', { token, raw: '{"title":"patched"}' })).json as Task;

    for (const [type, body] of [
      ['application/json', '{"__proto__":{"status":"completed","polluted":"yes"}}'],
      ['application/merge-patch+json', '{"__proto__":{"status":"completed","polluted":"yes"}}'],
      ['application/merge-patch+json', '{"constructor":{"prototype":{"polluted":"yes"}}}'],
      ['application/json', '{"title":"still mine","__proto__":null}'],
    ]) {
      const sent = await send(app, 'PATCH', `/tasks/${created.id}`, { token, raw: body, headers: { 'content-type': type } });
      expect([200, 400, 422]).toContain(sent.status);
      expect(polluted()).toBe(false);
    }

    const after = (await (await app.request(`/tasks/${created.id}`, { headers: auth() })).json()) as Task;
    expect(after.status).toBe('pending');
    expect(Object.keys(after)).not.toContain('polluted');
  });

  test('query strings with __proto__[x] and constructor[prototype][x] are ignored or refused', async () => {
    for (const query of ['__proto__[polluted]=1', 'constructor[prototype][polluted]=1', '__proto__.polluted=1', 'status=__proto__', 'sort=constructor']) {
      const res = await app.request(`/tasks?${query}`, { headers: auth() });
      await res.arrayBuffer();
      expect([200, 422]).toContain(res.status);
      expect(polluted()).toBe(false);
    }
  });

  test('a token whose claims carry __proto__ pollutes nothing', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(`{"sub":"hostile","exp":${Math.floor(Date.now() / 1000) + 600},"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}`).toString('base64url');
    const signature = crypto.createHmac('sha256', TEST_SECRET).update(`${header}.${payload}`).digest('base64url');

    const res = await app.request('/tasks', { headers: { authorization: `Bearer ${header}.${payload}.${signature}` } });
    await res.arrayBuffer();

    expect([200, 401]).toContain(res.status);
    expect(polluted()).toBe(false);
  });
});

describe(`SQL and markup are data (${engineName})`, () => {
  const payloads = [
    "'; DROP TABLE tasks; --",
    "Robert'); DROP TABLE users;--",
    "' OR '1'='1",
    '" OR ""="',
    '1; SELECT pg_sleep(10); --',
    "$$; DROP TABLE tasks; $$",
    "\\'; DELETE FROM tasks WHERE '' = '",
    '?? :name $1 %s %d {{title}} ${title}',
    '<script>alert(document.cookie)</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg/onload=alert(1)>',
    'javascript:alert(1)',
    '</script><script>alert(1)</script>',
    '{"$ne": null}',
    '\u202egnp.exe\u202c (RTL override) \u200b zero width',
  ];

  test.each(payloads)('%s is stored and returned verbatim as a title and as a description', async (payload) => {
    // Act
    const created = await send(app, 'POST', '/tasks', { token, raw: JSON.stringify({ title: payload, description: payload }) });
    const id = (created.json as Task).id;
    const read = await app.request(`/tasks/${id}`, { headers: auth() });
    const task = (await read.json()) as Task;

    // Assert
    expect(created.status).toBe(201);
    expect(task).toMatchObject({ title: payload, description: payload });
    expect(read.headers.get('content-type')).toMatch(/^application\/json/);
    expect(read.headers.get('x-content-type-options')).toBe('nosniff');
    expect(read.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  test('after every payload the tables are intact and listing still works', async () => {
    const res = await app.request('/tasks?limit=100', { headers: auth() });
    const tasks = (await res.json()) as Task[];

    expect(res.status).toBe(200);
    expect(tasks.filter((t) => payloads.includes(t.title))).toHaveLength(payloads.length);
    expect(Number((await app.knex('users').count({ n: '*' }))[0].n)).toBeGreaterThan(0);
  });

  test.each([
    ['status', "pending' OR '1'='1"],
    ['priority', 'high; DROP TABLE tasks'],
    ['sort', 'title; DROP TABLE tasks'],
    ['sort', '(select 1)'],
    ['limit', '1 OR 1=1'],
    ['completed', "true' --"],
    ['cursor', "' OR 1=1 --"],
    ['cursor', Buffer.from(`{"k":"created_at","v":"2020-01-01' OR '1'='1","id":"x"}`).toString('base64url')],
  ])('a query parameter %s=%s answers 422, not 500', async (name, value) => {
    const res = await app.request(`/tasks?${name}=${encodeURIComponent(value)}`, { headers: auth() });
    const body = await res.json();

    expect(res.status).toBe(422);
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(name);
  });

  test.each([
    ["/tasks/1' OR '1'='1", 422],
    ['/tasks/00000000-0000-0000-0000-000000000000;DROP TABLE tasks', 422],
    ["/api/x' OR '1'='1/tasks", 403],
  ])('a path %s answers %d', async (path, status) => {
    const res = await app.request(path.replace(/ /g, '%20').replace(/'/g, '%27'), { headers: auth() });
    await res.arrayBuffer();

    expect(res.status).toBe(status);
  });

  test('markup in an unknown path comes back only inside problem+json, never as HTML', async () => {
    const res = await app.request('/%3Cscript%3Ealert(1)%3C/script%3E');
    await res.arrayBuffer();

    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe(`X-Content-Type-Options: nosniff on every kind of response (${engineName})`, () => {
  test.each([
    ['GET /health', '/health', {}],
    ['GET /ready', '/ready', {}],
    ['GET /openapi.json', '/openapi.json', {}],
    ['GET /tasks 200', '/tasks', { headers: 'auth' }],
    ['GET /tasks 401', '/tasks', {}],
    ['POST /tasks 201', '/tasks', { method: 'POST', headers: 'auth', body: '{"title":"sniff"}' }],
    ['POST /tasks 400', '/tasks', { method: 'POST', headers: 'auth', body: '{' }],
    ['POST /tasks 413', '/tasks', { method: 'POST', headers: 'auth', body: `{"title":"${'x'.repeat(70_000)}"}` }],
    ['POST /tasks 415', '/tasks', { method: 'POST', headers: 'auth', body: '{}', type: 'text/plain' }],
    ['POST /tasks 422', '/tasks', { method: 'POST', headers: 'auth', body: '{}' }],
    ['DELETE /tasks 405', '/tasks', { method: 'DELETE', headers: 'auth' }],
    ['GET /nowhere 404', '/nowhere', {}],
  ] as const)('%s', async (_name, path, opts: { method?: string; headers?: 'auth'; body?: string; type?: string }) => {
    const headers: Record<string, string> = opts.headers === 'auth' ? auth() : {};
    if (opts.body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
    const res = await app.request(path, { method: opts.method ?? 'GET', headers, body: opts.body });
    await res.arrayBuffer();

    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
