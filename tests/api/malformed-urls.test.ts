import fc from 'fast-check';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { fillTemplate, operation, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Percent-escapes that are not %XX, or that spell bytes which are not UTF-8, anywhere a URL is
// decoded (a path parameter, a literal path segment, a query name or value), on every operation
// of the contract, with and without a token: a 400 problem+json saying the URL is malformed,
// never a 500, and nothing in the log with a stack trace (test-app checks that on stop).

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.createUser('malformed-url-user');
});
afterAll(() => app.stop());

const HEX = '0123456789abcdefABCDEF';
const hexDigit = fc.constantFrom(...HEX);
/** Characters a request target may carry that are not hex digits (and not / ? #). */
const notHex = fc.constantFrom(...'GgZz-._~!$&\'()*+,;=:@%');
const byte = (min: number, max: number) => fc.integer({ min, max }).map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);
const continuation = byte(0x80, 0xbf);

/** One escape sequence decodeURIComponent refuses. */
const malformedEscape: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(notHex, fc.oneof(hexDigit, notHex)).map(([a, b]) => `%${a}${b}`), // %ZZ, %G1
  fc.tuple(hexDigit, notHex).map(([a, b]) => `%${a}${b}`), // %2Z
  continuation, // a lone continuation byte
  fc.tuple(byte(0xc0, 0xc1), continuation).map(([a, b]) => a + b), // overlong two-byte (%C0%AF)
  fc.tuple(byte(0xe0, 0xef), continuation).map(([a, b]) => a + b), // three-byte lead cut short
  fc.tuple(byte(0xa0, 0xbf), continuation).map(([a, b]) => `%ED${a}${b}`), // a UTF-16 surrogate
  fc.tuple(byte(0x90, 0xbf), continuation, continuation).map(([a, b, c]) => `%F4${a}${b}${c}`), // past U+10FFFF
  byte(0xf5, 0xff), // never a UTF-8 byte
);

/**
 * A malformed escape among well-formed text. A cut-off `%` or `%X` comes last: followed by more
 * text it could become a well-formed escape.
 */
const plain = fc.stringMatching(/^[A-Za-z0-9._~-]{0,6}$/);
const wellFormed = fc.constantFrom('', '%20', '%C3%A9', '%E2%82%AC', '%F0%9F%98%80');
const malformed: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(plain, wellFormed, malformedEscape, plain).map((parts) => parts.join('')),
  fc.tuple(plain, wellFormed, fc.oneof(fc.constant('%'), hexDigit.map((h) => `%${h}`))).map((parts) => parts.join('')),
);

const VALID_VALUES: Record<string, string> = { task_id: '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f', user_id: 'malformed-url-user' };

/** Every way to put a malformed escape in an operation's URL. */
const malformedUrl = fc
  .record({
    operationId: fc.constantFrom(...operations.map((op) => op.operationId)),
    where: fc.constantFrom('path parameter', 'path segment', 'query value', 'query name'),
    broken: malformed,
    withToken: fc.boolean(),
  })
  .map(({ operationId, where, broken, withToken }) => {
    const op = operation(operationId);
    const names = [...op.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    let path = fillTemplate(op.template, VALID_VALUES);
    let query = '';
    if (where === 'path parameter' && names.length > 0) {
      path = fillTemplate(op.template, { ...VALID_VALUES, [names[0]]: broken });
    } else if (where === 'query value' || where === 'query name') {
      const declared = op.parameters.find((p) => p.in === 'query')?.name ?? 'extra';
      query = where === 'query value' ? `?${declared}=${broken}` : `?${broken}=1`;
    } else {
      path = `${path}/${broken}`;
    }
    return { method: op.method, label: `${op.method} ${path}${query} (${where})`, url: `${path}${query}`, withToken };
  });

describe('a URL whose percent-escapes cannot be decoded', () => {
  test.each([
    ['GET', '/tasks/%ZZ'],
    ['GET', '/tasks/%E0%A4%A'],
    ['GET', '/api/%ZZ/tasks'],
    ['DELETE', '/tasks/%C0%AF'],
    ['GET', '/tasks?cursor=%E0%A4%A'],
    ['GET', '/%ZZ'],
    ['GET', '/docs/%ZZ'],
  ])('%s %s answers 400 Malformed URL', async (method, url) => {
    const res = await app.request(url, { method });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await res.json()).detail).toMatch(/^Malformed URL: /);
  });

  test(
    'anywhere on any operation, with or without a token, answers 400 Malformed URL',
    async () => {
      await fc.assert(
        fc.asyncProperty(malformedUrl, async ({ method, label, url, withToken }) => {
          const headers: Record<string, string> = withToken ? { authorization: `Bearer ${token}` } : {};
          const res = await app.request(url, { method, headers });
          const body = await res.text();
          if (res.status !== 400 || !/"detail":"Malformed URL: /.test(body)) {
            throw new Error(`${label}: expected 400 Malformed URL, got ${res.status} ${body.slice(0, 300)}`);
          }
        }),
        params({ numRuns: Math.max(200, params().numRuns!) }),
      );
    },
    propertyTimeout(),
  );
});

test('well-formed escapes still decode: an owner id with reserved and non-ASCII characters reaches its tasks', async () => {
  const owner = 'ü/?#%&= 😀';
  const ownerToken = await app.createUser(owner);

  const res = await app.request(`/api/${encodeURIComponent(owner)}/tasks?limit=1&user_id=${encodeURIComponent(owner)}`, {
    headers: { authorization: `Bearer ${ownerToken}` },
  });

  expect(res.status).toBe(200);
});
