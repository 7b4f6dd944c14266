import type { OpenAPIV3 } from 'openapi-types';
import { deref, document, fillTemplate, operation, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The contract's OpenAPI links, followed as a stateful tool (Schemathesis, for one) follows them:
// create a task in each route family, then call every operation a link from that 201 names, with
// its parameters taken from the runtime expressions the link gives. Each answers its success.

let app: TestApp;
let token: string;
const OWNER = 'links-user';

beforeAll(async () => {
  app = await startTestApp();
  token = await app.createUser(OWNER);
});
afterAll(() => app.stop());

/** Every (create operation, link name, link) the contract declares on a 201. */
const links = operations.flatMap((op) =>
  Object.entries(op.responses['201']?.links ?? {}).map(([name, link]) => ({ create: op, name, link: deref<OpenAPIV3.LinkObject>(link) })),
);

/** A runtime expression (`$response.body#/id`, `$request.path.user_id`) evaluated for one exchange. */
function evaluate(expression: string, exchange: { requestPath: Record<string, string>; responseBody: Record<string, unknown> }): string {
  const body = /^\$response\.body#\/(.+)$/.exec(expression);
  if (body) return String(exchange.responseBody[body[1]]);
  const path = /^\$request\.path\.(.+)$/.exec(expression);
  if (path) return exchange.requestPath[path[1]];
  throw new Error(`runtime expression not handled by this test: ${expression}`);
}

test('every create operation declares links to the six operations on the task it created', () => {
  const creates = operations.filter((op) => op.method === 'POST' && op.template.endsWith('/tasks'));
  expect(creates).toHaveLength(3);
  for (const create of creates) expect(Object.keys(create.responses['201'].links ?? {}).sort()).toEqual(['complete', 'delete', 'get', 'replace', 'toggle', 'update']);
});

test.each(links.map((l) => [l.create.operationId, l.name, l.link.operationId!, l] as const))('%s → %s (%s) answers its success', async (_, __, target, { create, link }) => {
  const requestPath = { user_id: OWNER };
  const created = await app.request(fillTemplate(create.template, requestPath), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'linked' }),
  });
  expect(created.status).toBe(201);
  const responseBody = (await created.json()) as Record<string, unknown>;

  const op = operation(target);
  const values = Object.fromEntries(Object.entries(link.parameters ?? {}).map(([name, expression]) => [name, evaluate(String(expression), { requestPath, responseBody })]));
  const body = op.method === 'PUT' ? { title: 'replaced' } : op.method === 'PATCH' && op.template.endsWith('}') ? { priority: 'high' } : undefined;
  const res = await app.request(fillTemplate(op.template, { user_id: OWNER, ...values }), {
    method: op.method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

  const success = Object.keys(op.responses).find((status) => status.startsWith('2'));
  expect(res.status).toBe(Number(success));
});

test('the links live under components, one per family and operation', () => {
  expect(Object.keys(document.components?.links ?? {})).toHaveLength(18);
});
