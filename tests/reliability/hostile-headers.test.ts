import fc from 'fast-check';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { rawExchange } from '../helpers/raw-http';
import { fillTemplate, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Every header the service reads (negotiation, body framing and type, credentials, conditions,
// the request id, the proxy's forwarding headers, CORS' Origin, cookies), sent with generated
// values over raw HTTP — obs-text bytes, percent-escapes, quotes, commas, semicolons, very long
// values — on every operation of the contract. The service answers every one it reads with a
// status below 500 (problem+json when it refuses), and never logs a stack trace for it
// (test-app checks that when it stops). What Node's HTTP parser refuses before the service sees it
// is a bare 400, which the contract's description allows.

let app: TestApp;
let token: string;
let taskId: string;

beforeAll(async () => {
  app = await startTestApp({ TRUST_PROXY: 'true', CORS_ORIGINS: 'https://app.example.org', LOGIN_RATE_LIMIT: '0', LOGIN_IP_RATE_LIMIT: '0', REGISTER_RATE_LIMIT: '0' });
  token = await app.createUser('header-user');
  const res = await app.request('/tasks', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'target' }),
  });
  taskId = (await res.json()).id;
});
afterAll(() => app.stop());

const READ = [
  'Accept',
  'Content-Type',
  'Content-Encoding',
  'Authorization',
  'If-Match',
  'If-None-Match',
  'X-Request-Id',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'Origin',
  'Cookie',
  'Host',
];

/** Header values as a hostile client writes them: any byte a header line may carry (HTAB, SP to 0xFF). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom(
    '%ZZ',
    '%E0%A4%A',
    'application/json; charset=utf-16',
    'application/json; charset="',
    'application/json;;;',
    '*/*; q=abc',
    'Bearer ',
    'Bearer a.b.c',
    `Bearer ${'A'.repeat(9000)}`,
    'W/"1", "2", *',
    '"9999999999999999999999"',
    'gzip, br, zstd',
    'a=%FF; b="\\"',
    '\t',
    'ÿþý',
    'x'.repeat(7000),
  ),
);

const hostileRequest = fc.record({
  operationId: fc.constantFrom(...operations.map((op) => op.operationId)),
  headers: fc.dictionary(fc.constantFrom(...READ), headerValue, { minKeys: 1, maxKeys: 4 }),
  withToken: fc.boolean(),
});

test(
  'any value in any header the service reads, on any operation, is answered below 500',
  async () => {
    const port = Number(new URL(app.baseUrl).port);
    await fc.assert(
      fc.asyncProperty(hostileRequest, async ({ operationId, headers, withToken }) => {
        const op = operations.find((o) => o.operationId === operationId)!;
        const path = fillTemplate(op.template, { task_id: taskId, user_id: 'header-user' });
        const lines = [`${op.method} ${path} HTTP/1.1`];
        const given = { Host: '127.0.0.1', ...(withToken ? { Authorization: `Bearer ${token}` } : {}), ...headers };
        for (const [name, value] of Object.entries(given)) lines.push(`${name}: ${value}`);
        const body = op.requestBody ? (['POST', 'PUT'].includes(op.method) ? '{"title":"x"}' : '{}') : '';
        if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
        const answer = await rawExchange(port, lines.join('\r\n'), body);
        const where = `${op.method} ${path} with ${JSON.stringify(headers).slice(0, 300)}`;
        if (answer.status >= 500) throw new Error(`${where}: ${answer.status} ${answer.body.slice(0, 300)}`);
        // Answered by the service (not refused by Node's parser): refusals are problem+json.
        if (answer.headers['x-request-id'] && answer.status >= 400 && !/^application\/problem\+json/.test(answer.headers['content-type'] ?? '')) {
          throw new Error(`${where}: ${answer.status} as ${answer.headers['content-type']}`);
        }
      }),
      params({ numRuns: Math.max(300, params().numRuns!) }),
    );
  },
  propertyTimeout(),
);
