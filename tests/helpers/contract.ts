import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Operation } from 'openapi-backend';
import { loadContract } from '../../src/spec';

// Every response a test sees goes through `contractFetch`, which checks it against openapi.yaml:
// the status is declared for the operation, the content type is declared for that status, the
// body matches its schema, and every declared header that is present matches its schema.
// Responses to unknown routes (404/405) must be problem+json.

const contract = loadContract();
const api = new OpenAPIBackend({ definition: structuredClone(contract.document), quick: true, validate: false });
const ready = api.init();

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const headerAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
addFormats(headerAjv);

const cache = new Map<string, ValidateFunction>();
function compiled(key: string, schema: object, headers = false): ValidateFunction {
  let fn = cache.get(key);
  if (!fn) {
    fn = (headers ? headerAjv : ajv).compile(schema);
    cache.set(key, fn);
  }
  return fn;
}

// After init, openapi-backend's copy of the document is dereferenced: schemas hold no $refs.
const problemSchema = () => (api.definition.components!.schemas!.Problem as object);

export const violations: string[] = [];

/** Routes deliberately outside the contract: the human-facing documentation. */
const DOCS_PAGES = /^\/docs(\/|$)/;

interface ResponseObject {
  headers?: Record<string, { schema?: object }>;
  content?: Record<string, { schema?: object }>;
}

function mediaType(header: string | null): string | undefined {
  return header?.split(';')[0].trim().toLowerCase() || undefined;
}

async function check(method: string, url: URL, response: Response): Promise<string[]> {
  await ready;
  const problems: string[] = [];
  const where = `${method} ${url.pathname} → ${response.status}`;
  const text = await response.clone().text();
  const type = mediaType(response.headers.get('content-type'));
  if (!response.headers.get('x-request-id')) problems.push(`${where}: no X-Request-Id`);

  // The docs pages are for people, outside the contract (see src/http/docs.ts).
  if (DOCS_PAGES.test(url.pathname) && response.ok) return problems;

  // A CORS preflight is answered by the CORS layer (Fetch standard), not by an API operation.
  if (method === 'OPTIONS' && response.status === 204 && response.headers.has('access-control-allow-origin')) return problems;

  const operation = api.router.matchOperation({ method: method === 'HEAD' ? 'GET' : method, path: url.pathname, headers: {} }) as
    | Operation
    | undefined;
  if (!operation) {
    if (![404, 405].includes(response.status)) problems.push(`${where}: no operation matches, yet status is not 404/405`);
    if (type !== 'application/problem+json') problems.push(`${where}: expected problem+json, got ${type}`);
    else if (!compiled('problem', problemSchema())(JSON.parse(text))) problems.push(`${where}: body is not a Problem`);
    return problems;
  }
  const declared = (operation.responses ?? {}) as Record<string, ResponseObject>;
  const spec = declared[String(response.status)] ?? declared.default;
  if (!spec) return [...problems, `${where}: status not declared for ${operation.operationId}`];

  for (const [name, header] of Object.entries(spec.headers ?? {})) {
    const value = response.headers.get(name);
    if (value === null || !header.schema) continue;
    const key = `${operation.operationId}:${response.status}:h:${name}`;
    const holder = { value };
    if (!compiled(key, { type: 'object', properties: { value: header.schema } }, true)(holder)) {
      problems.push(`${where}: header ${name}="${value}" does not match its schema`);
    }
  }

  if (method === 'HEAD' || response.status === 204 || text === '') {
    if (spec.content && Object.keys(spec.content).length > 0 && method !== 'HEAD') problems.push(`${where}: empty body, but content is declared`);
    return problems;
  }
  const media = type ? spec.content?.[type] : undefined;
  if (!media) return [...problems, `${where}: content type ${type} not declared (declared: ${Object.keys(spec.content ?? {}).join(', ')})`];
  if (media.schema) {
    const body = type!.includes('json') ? JSON.parse(text) : text;
    const validate = compiled(`${operation.operationId}:${response.status}:${type}`, media.schema);
    if (!validate(body)) problems.push(`${where}: body does not match the schema: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}

/** fetch, plus a contract check of the response. A violation fails the test that caused it. */
export async function contractFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const response = await fetch(request);
  const found = await check(request.method, new URL(request.url), response);
  if (found.length > 0) {
    violations.push(...found);
    throw new Error(`Response violates openapi.yaml:\n  ${found.join('\n  ')}`);
  }
  return response;
}
