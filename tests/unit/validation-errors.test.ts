import type { ErrorObject } from 'ajv';
import type OpenAPIBackend from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { validatingBackend } from '../../src/api/backend';
import { toFieldErrors } from '../../src/api/validation-errors';
import { loadContract } from '../../src/api/contract';

// The errors fed to toFieldErrors are real: openapi-backend's own validator (configured as in
// src/api/backend.ts) builds the { path, query, header, requestBody } document and runs ajv on it.
// A small definition gives names with '/' and '~' that the product's contract does not have.

const definition: OpenAPIV3.Document = {
  openapi: '3.0.3',
  info: { title: 'validation fixtures', version: '1' },
  paths: {
    '/things/{thing_id}': {
      put: {
        operationId: 'replaceThing',
        parameters: [
          { name: 'thing_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'a/b~c', in: 'query', schema: { type: 'string', maxLength: 3 } },
          { name: 'If-Match', in: 'header', schema: { type: 'string', maxLength: 8 } },
          { name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['title'],
                properties: {
                  title: { type: 'string', minLength: 1, maxLength: 5, allOf: [{ maxLength: 5 }, { maxLength: 6 }] },
                  code: { type: 'string', maxLength: 3, pattern: '^[a-z]+$' },
                  status: { type: 'string', enum: ['pending', 'completed'] },
                  due_date: { type: 'string', format: 'date-time', nullable: true },
                  meta: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['x/y'],
                    properties: { 'x/y': { type: 'integer' }, 'm~n': { type: 'integer' } },
                  },
                  tags: { type: 'array', items: { type: 'string', maxLength: 2 } },
                },
              },
            },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
};


let fixtures: OpenAPIBackend;
let product: OpenAPIBackend;

beforeAll(async () => {
  fixtures = validatingBackend(definition);
  product = validatingBackend(loadContract().document);
  await Promise.all([fixtures.init(), product.init()]);
});

const THING = '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f';

interface Req {
  path?: string;
  query?: string;
  /** Merged over a content type and the required X-Tenant; null leaves a header out. */
  headers?: Record<string, string | null>;
  body?: unknown;
}

/** The ajv errors openapi-backend reports for a PUT /things/{thing_id}; a valid request by default. */
function ajvErrors(req: Req = {}, api = fixtures, method = 'PUT'): ErrorObject[] {
  const merged = { 'content-type': 'application/json', 'x-tenant': 'acme', ...req.headers };
  const headers = Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== null));
  const result = api.validateRequest({
    method,
    path: req.path ?? `/things/${THING}`,
    query: req.query ?? '',
    headers,
    body: 'body' in req ? req.body : { title: 'ok' },
  });
  return (result.errors ?? []) as ErrorObject[];
}

const fieldErrors = (req: Req = {}) => toFieldErrors(ajvErrors(req));

describe('the fixtures', () => {
  test('a valid request has no errors, so each case below fails for its own reason', () => {
    expect(ajvErrors()).toEqual([]);
    expect(toFieldErrors([])).toEqual([]);
  });
});

describe('toFieldErrors: body fields are JSON pointers', () => {
  test('a property that breaks a keyword is named by its pointer and the keyword', () => {
    expect(fieldErrors({ body: { title: 'much too long' } })).toEqual([
      { location: 'body', field: '/title', message: expect.any(String), rule: 'maxLength' },
    ]);
  });

  test('a missing required property is named by its own pointer, not its parent\'s', () => {
    expect(fieldErrors({ body: {} })).toEqual([
      { location: 'body', field: '/title', message: expect.stringContaining('title'), rule: 'required' },
    ]);
  });

  test('an unknown property is named by its own pointer with rule additionalProperties', () => {
    expect(fieldErrors({ body: { title: 'ok', colour: 'red' } })).toEqual([
      { location: 'body', field: '/colour', message: expect.any(String), rule: 'additionalProperties' },
    ]);
  });

  test('an unknown property with / and ~ in its name is escaped as a JSON pointer', () => {
    expect(fieldErrors({ body: { title: 'ok', 'a/b~c': 1 } })).toEqual([
      { location: 'body', field: '/a~1b~0c', message: expect.any(String), rule: 'additionalProperties' },
    ]);
  });

  test('a missing nested property with / in its name is escaped under its parent', () => {
    expect(fieldErrors({ body: { title: 'ok', meta: {} } })).toEqual([
      { location: 'body', field: '/meta/x~1y', message: expect.any(String), rule: 'required' },
    ]);
  });

  test('a nested property with ~ in its name keeps the escaping ajv gave it', () => {
    expect(fieldErrors({ body: { title: 'ok', meta: { 'x/y': 1, 'm~n': 'two' } } })).toEqual([
      { location: 'body', field: '/meta/m~0n', message: expect.any(String), rule: 'type' },
    ]);
  });

  test('an array item is named by its index', () => {
    expect(fieldErrors({ body: { title: 'ok', tags: ['ok', 'too long'] } })).toEqual([
      { location: 'body', field: '/tags/1', message: expect.any(String), rule: 'maxLength' },
    ]);
  });

  test('enum and format failures carry those keywords as the rule', () => {
    const errors = fieldErrors({ body: { title: 'ok', status: 'done', due_date: 'tomorrow' } });

    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ location: 'body', field: '/status', rule: 'enum' }),
        expect.objectContaining({ location: 'body', field: '/due_date', rule: 'format' }),
      ]),
    );
    expect(errors).toHaveLength(2);
  });

  test('every failing field is named, not only the first', () => {
    const errors = fieldErrors({ body: { colour: 'red', status: 'done', tags: 'x' } });

    expect(errors.map((e) => `${e.field} ${e.rule}`).sort()).toEqual([
      '/colour additionalProperties',
      '/status enum',
      '/tags type',
      '/title required',
    ]);
  });

  test('a body that is not an object is one error on the whole body', () => {
    expect(fieldErrors({ body: ['title'] })).toEqual([{ location: 'body', field: '', message: expect.any(String), rule: 'type' }]);
  });

  test('a missing request body says that a body is required', () => {
    const errors = fieldErrors({ body: undefined, headers: { 'content-type': null } });

    expect(errors).toEqual([{ location: 'body', field: '', message: 'a request body is required', rule: 'required' }]);
  });
});

describe('toFieldErrors: parameters are named, not pointed at', () => {
  test('a bad path parameter is named by its name', () => {
    expect(fieldErrors({ path: '/things/not-a-uuid' })).toEqual([
      { location: 'path', field: 'thing_id', message: expect.any(String), rule: 'format' },
    ]);
  });

  test('a bad query parameter is named by its name', () => {
    expect(fieldErrors({ query: 'limit=0' })).toEqual([
      { location: 'query', field: 'limit', message: expect.any(String), rule: 'minimum' },
    ]);
  });

  test('a query parameter that is not a number where one is expected is a type error on its name', () => {
    expect(fieldErrors({ query: 'limit=many' })).toEqual([
      { location: 'query', field: 'limit', message: expect.any(String), rule: 'type' },
    ]);
  });

  test('a query parameter with / and ~ in its name is given by its plain name', () => {
    expect(fieldErrors({ query: `${encodeURIComponent('a/b~c')}=toolong` })).toEqual([
      { location: 'query', field: 'a/b~c', message: expect.any(String), rule: 'maxLength' },
    ]);
  });

  test('a bad header is named by its header name', () => {
    const errors = fieldErrors({ headers: { 'if-match': '"123456789"' } });

    expect(errors).toEqual([{ location: 'header', field: expect.any(String), message: expect.any(String), rule: 'maxLength' }]);
    expect(errors[0].field.toLowerCase()).toBe('if-match');
  });

  test('a missing required header is named by its header name', () => {
    const errors = fieldErrors({ headers: { 'x-tenant': null } });

    expect(errors).toEqual([{ location: 'header', field: expect.any(String), message: expect.any(String), rule: 'required' }]);
    expect(errors[0].field.toLowerCase()).toBe('x-tenant');
  });

  test('body, path, query and header errors of one request are all reported, each in its place', () => {
    const errors = fieldErrors({
      path: '/things/nope',
      query: 'limit=101',
      headers: { 'x-tenant': 'ACME' },
      body: { title: '' },
    });

    expect(errors.map((e) => `${e.location} ${e.field.toLowerCase()} ${e.rule}`).sort()).toEqual([
      'body /title minLength',
      'header x-tenant pattern',
      'path thing_id format',
      'query limit maximum',
    ]);
  });
});

describe('toFieldErrors: one entry per field and rule', () => {
  test('the same rule failing twice on one field is reported once', () => {
    // title has maxLength 5 itself and again inside allOf: ajv reports both.
    const raw = ajvErrors({ body: { title: 'sevenchars' } });
    expect(raw.filter((e) => e.keyword === 'maxLength').length).toBeGreaterThan(1);

    expect(toFieldErrors(raw)).toEqual([{ location: 'body', field: '/title', message: expect.any(String), rule: 'maxLength' }]);
  });

  test('different rules failing on one field are each reported', () => {
    const errors = fieldErrors({ body: { title: 'ok', code: 'ABCD' } });

    expect(errors.map((e) => `${e.field} ${e.rule}`).sort()).toEqual(['/code maxLength', '/code pattern']);
  });

  test('the same rule on a same-named field in different places is reported for each place', () => {
    const errors = toFieldErrors([
      { instancePath: '/query/limit', schemaPath: '#/properties/query/properties/limit/type', keyword: 'type', params: { type: 'integer' }, message: 'must be integer' },
      { instancePath: '/requestBody/limit', schemaPath: '#/properties/requestBody/properties/limit/type', keyword: 'type', params: { type: 'integer' }, message: 'must be integer' },
    ]);

    expect(errors.map((e) => `${e.location} ${e.field}`)).toEqual(['query limit', 'body /limit']);
  });

  test('an error list given twice gives the same fields as given once', () => {
    const raw = ajvErrors({ path: '/things/nope', body: { colour: 'red' } });

    expect(toFieldErrors([...raw, ...raw])).toEqual(toFieldErrors(raw));
  });
});

describe('toFieldErrors on the product contract', () => {
  test('POST /tasks without a title and with an unknown property names both fields', () => {
    const raw = ajvErrors({ path: '/tasks', body: { colour: 'red' } }, product, 'POST');

    expect(toFieldErrors(raw).map((e) => `${e.location} ${e.field} ${e.rule}`).sort()).toEqual([
      'body /colour additionalProperties',
      'body /title required',
    ]);
  });

  test('PATCH /tasks/{task_id} with a bad id and a bad status names the path parameter and the body pointer', () => {
    const raw = ajvErrors({ path: '/tasks/123', body: { status: 'done' } }, product, 'PATCH');

    expect(toFieldErrors(raw).map((e) => `${e.location} ${e.field} ${e.rule}`).sort()).toEqual([
      'body /status enum',
      'path task_id format',
    ]);
  });

  test('POST /tasks with a title over 255 characters is a maxLength error on /title', () => {
    const raw = ajvErrors({ path: '/tasks', body: { title: 'x'.repeat(256) } }, product, 'POST');

    expect(toFieldErrors(raw)).toEqual([{ location: 'body', field: '/title', message: expect.any(String), rule: 'maxLength' }]);
  });
});
