import fc from 'fast-check';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { fillTemplate, operations } from '../helpers/spec';
import { send } from '../helpers/http';
import { rawExchange } from '../helpers/raw-http';
import { createTask } from '../helpers/tasks';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Every operation that reads a body, sent JSON of every type but the object its schema wants (a
// string, a number, a boolean, null, an array — a string holding JSON text included): 422 with
// rule `type` on the body as a whole, the same everywhere. Text that does not parse as JSON is
// the only 400.

let app: TestApp;
let token: string;
let taskId: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.createUser('body-types');
  taskId = (await createTask(app, token, { title: 'target' })).id;
});
afterAll(() => app.stop());

const withBody = operations.filter((op) => op.requestBody?.content['application/json']);
const target = (template: string) => fillTemplate(template, { task_id: taskId, user_id: 'body-types' });

const sendText = (method: string, path: string, text: string) => send(app, method, path, { token, raw: text });

const notAnObject = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.jsonValue().map((value) => JSON.stringify(value)), // JSON text inside a JSON string: never decoded twice
);

describe('well-formed JSON of the wrong type', () => {
  test(
    'is a 422 with rule `type` on the body as a whole, on every operation that reads a body',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...withBody.map((op) => [op.method, op.template] as const)), notAnObject, async ([method, template], value) => {
          const sent = await sendText(method, target(template), JSON.stringify(value));
          expect({ method, template, value, status: sent.status, errors: sent.json?.errors }).toEqual({
            method,
            template,
            value,
            status: 422,
            errors: [{ location: 'body', field: '', message: 'must be object', rule: 'type' }],
          });
        }),
        params({ numRuns: Math.max(200, params().numRuns!) }),
      );
    },
    propertyTimeout(),
  );

  test(
    'while text that is not JSON at all is a 400 Malformed JSON',
    async () => {
      const truncated = fc.jsonValue().chain((value) => {
        const text = JSON.stringify({ title: 'x', value });
        return fc.integer({ min: 1, max: text.length - 1 }).map((cut) => text.slice(0, cut));
      });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...withBody.map((op) => [op.method, op.template] as const)), truncated, async ([method, template], text) => {
          const sent = await sendText(method, target(template), text);
          expect({ method, template, text, status: sent.status, detail: sent.json?.detail?.slice(0, 15) }).toEqual({
            method,
            template,
            text,
            status: 400,
            detail: 'Malformed JSON:',
          });
        }),
        params({ numRuns: Math.max(100, params().numRuns!) }),
      );
    },
    propertyTimeout(),
  );
});

test.each([
  ['Content-Length: 0', 'Content-Length: 0', ''],
  ['no length at all', '', ''],
  ['a chunked body with no chunk', 'Transfer-Encoding: chunked', '0\r\n\r\n'],
])('%s, with Content-Type: application/json, is no body', async (_, framing, content) => {
  const port = Number(new URL(app.baseUrl).port);
  const head = (method: string, path: string) =>
    [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${token}`, 'Content-Type: application/json', framing].filter(Boolean).join('\r\n');

  const toggled = await rawExchange(port, head('PATCH', `/tasks/${taskId}/toggle`), content);
  const created = await rawExchange(port, head('POST', '/tasks'), content);

  expect(toggled.status).toBe(200);
  expect(created.status).toBe(422);
  expect(JSON.parse(created.body).errors).toEqual([expect.objectContaining({ field: '/title', rule: 'required' })]);
});
