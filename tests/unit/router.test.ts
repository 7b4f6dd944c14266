import fc from 'fast-check';
import OpenAPIBackend, { OpenAPIRouter, type Request } from 'openapi-backend';
import { validatingBackend } from '../../src/api/backend';
import { ContractRouter } from '../../src/api/router';
import { loadContract } from '../../src/api/contract';

// The compiled router must answer exactly as openapi-backend's own router does, for every
// operation of the contract and for paths it does not know.

let stock: OpenAPIRouter;
let compiled: ContractRouter;

beforeAll(async () => {
  const api = new OpenAPIBackend({ definition: structuredClone(loadContract().document), quick: true, validate: false });
  await api.init();
  stock = api.router;
  compiled = new ContractRouter(stock);
});

const outcome = (router: OpenAPIRouter, req: Request) => {
  try {
    return router.matchOperation(req, true).operationId;
  } catch (err) {
    return (err as Error).message;
  }
};

const METHODS = ['get', 'GET', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const UUID = '0b7e4f39-6c2e-4d77-9a55-5d2f8f4c2a10';

/** Paths built from the contract's own templates, filled in and varied. */
function samplePaths(): string[] {
  const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);
  return stock.getOperations().flatMap(({ path }) => [
    fill(path, UUID),
    `${fill(path, 'user-1')}/`,
    `${fill(path, 'a%20b')}?limit=5`,
    fill(path, '%E2%82%AC'),
    `${fill(path, UUID)}/extra`,
    fill(path, '').replace(/\/\//g, '/'),
    path,
  ]);
}

test('matches every path of the contract, and unknown ones, as the stock router', () => {
  for (const path of [...samplePaths(), '/', '', '/ ?', '/tasks ?x', ' /tasks/ ', '/nope', '/tasks//x', '/api', '/API/tasks', '/openapi.json/']) {
    for (const method of METHODS) {
      expect([method, path, outcome(compiled, { method, path, headers: {} })]).toEqual([method, path, outcome(stock, { method, path, headers: {} })]);
    }
  }
});

test('matches arbitrary paths as the stock router', () => {
  const segment = fc.oneof(fc.constantFrom('tasks', 'api', 'auth', 'me', 'toggle', 'complete', UUID, 'user-1', ''), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 5 }), fc.constantFrom(...METHODS), (segments, method) => {
      const req = { method, path: `/${segments.join('/')}`, headers: {} };
      expect(outcome(compiled, req)).toEqual(outcome(stock, req));
    }),
    { numRuns: 5000 },
  );
});

test('parses requests (path params, query, headers, cookies, body) as the stock router, but never parses a body twice', () => {
  for (const operation of stock.getOperations()) {
    const path = operation.path.replace(/\{[^}]+\}/g, 'a%2Fb%20c');
    const req: Request = {
      method: operation.method.toUpperCase(),
      path: `${path}/`,
      query: { limit: '5', status: ['pending', 'completed'], other: 'x' },
      headers: { authorization: 'Bearer t', 'X-Mixed-Case': 'v', cookie: 'a=1; b=2' },
      body: '{"title":"x"}',
    };
    // Bodies arrive parsed: a string is a JSON string, kept as it is (the stock router would parse it again).
    const expected = { ...stock.parseRequest(req, operation), requestBody: req.body };
    expect(compiled.parseRequest(req, operation)).toEqual(expected);
    expect(compiled.parseRequest({ ...req, headers: {}, body: { title: 'y' } }, operation)).toEqual(
      stock.parseRequest({ ...req, headers: {}, body: { title: 'y' } }, operation),
    );
    expect(compiled.parseRequest(req)).toEqual({ ...stock.parseRequest(req), requestBody: req.body });
    // Anything else on the request travels along, as the stock router's spread carries it.
    const extra = { ...req, custom: { a: 1 }, body: undefined };
    expect(compiled.parseRequest(extra, operation)).toEqual(stock.parseRequest(extra, operation));
  }
});

test('getOperation and getOperations answer from the compiled table', () => {
  expect(compiled.getOperations().map((op) => op.operationId)).toEqual(stock.getOperations().map((op) => op.operationId));
  for (const op of stock.getOperations()) expect(compiled.getOperation(op.operationId!)).toEqual(op);
  expect(compiled.getOperation('noSuchOperation')).toBeUndefined();
});

test('installed, it is the only router a handled request is parsed by (a guard against an openapi-backend upgrade)', async () => {
  const api = validatingBackend(loadContract().document);
  api.register({ getHealth: () => 'ok', listTasks: () => 'list', notFound: () => 'not found', validationFail: () => 'invalid', unauthorizedHandler: () => 'unauthorized' });
  api.registerSecurityHandler('bearerAuth', () => true);
  await api.init();
  ContractRouter.install(api);
  const parses = jest.spyOn(OpenAPIRouter.prototype, 'parseRequest');
  const matches = jest.spyOn(OpenAPIRouter.prototype, 'matchOperation');
  try {
    await api.handleRequest({ method: 'GET', path: '/health', headers: {} });
    await api.handleRequest({ method: 'GET', path: '/tasks', query: { limit: '0' }, headers: {} });
    // The stock methods are only reached on other instances; ContractRouter overrides both.
    expect(parses.mock.contexts.filter((ctx) => !(ctx instanceof ContractRouter))).toEqual([]);
    expect(matches.mock.contexts.filter((ctx) => !(ctx instanceof ContractRouter))).toEqual([]);
  } finally {
    parses.mockRestore();
    matches.mockRestore();
  }
  const compiledParses = jest.spyOn(ContractRouter.prototype, 'parseRequest');
  try {
    await api.handleRequest({ method: 'GET', path: '/health', headers: {} });
    expect(compiledParses).toHaveBeenCalled();
  } finally {
    compiledParses.mockRestore();
  }
});

test('install refuses a backend whose validator does not share its router', async () => {
  const api = validatingBackend(loadContract().document);
  await api.init();
  api.validator.router = new OpenAPIRouter({ definition: api.definition });
  expect(() => ContractRouter.install(api)).toThrow(/no longer keeps its router/);
});
