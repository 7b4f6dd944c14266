import http from 'node:http';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Operation } from 'openapi-backend';
import { PROBLEM_TYPES } from '../../src/core/problem-types';
import { percentDecodable } from '../../src/http/well-formed-url';
import { loadContract } from '../../src/api/contract';
import { bypassesPrism, prismEnabled, prismUrl, UPSTREAM_HEADER } from './prism';

// Every response a test sees goes through `contractFetch`, which checks it against openapi.yaml:
// the status is declared for the operation, the content type is declared for that status, the
// body matches its schema, every required header is there, and every declared header that is
// present matches its schema.
// Responses to unknown routes (404/405, or 400 for a URL that cannot be decoded) must be problem+json.

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

/** Routes deliberately outside the contract: the human-facing documentation and problem pages. */
const DOCS_PAGES = /^\/(docs|problems)(\/|$)/;

interface ResponseObject {
  headers?: Record<string, { schema?: object; required?: boolean }>;
  content?: Record<string, { schema?: object }>;
}

function mediaType(header: string | null): string | undefined {
  return header?.split(';')[0].trim().toLowerCase() || undefined;
}

/** A problem's `type` must name one of the kinds of src/core/problem-types.ts, of the response's status. */
function problemTypeProblems(where: string, text: string, status: number): string[] {
  const type = (JSON.parse(text) as { type?: unknown }).type;
  const name = typeof type === 'string' ? /^\/problems\/([a-z-]+)$/.exec(type)?.[1] : undefined;
  if (!name || !Object.hasOwn(PROBLEM_TYPES, name)) return [`${where}: problem type ${String(type)} is not one of /problems/<kind>`];
  const expected = PROBLEM_TYPES[name as keyof typeof PROBLEM_TYPES].status;
  return expected === status ? [] : [`${where}: problem type ${String(type)} is a ${expected}, answered as ${status}`];
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
    // A URL that cannot be percent-decoded is refused before routing, whatever its path.
    const expected = percentDecodable(url.pathname + url.search) ? [404, 405] : [400];
    if (!expected.includes(response.status)) problems.push(`${where}: no operation matches, yet status is not ${expected.join('/')}`);
    if (type !== 'application/problem+json') problems.push(`${where}: expected problem+json, got ${type}`);
    else if (!compiled('problem', problemSchema())(JSON.parse(text))) problems.push(`${where}: body is not a Problem`);
    return problems;
  }
  const declared = (operation.responses ?? {}) as Record<string, ResponseObject>;
  const spec = declared[String(response.status)] ?? declared.default;
  if (!spec) return [...problems, `${where}: status not declared for ${operation.operationId}`];

  for (const [name, header] of Object.entries(spec.headers ?? {})) {
    const value = response.headers.get(name);
    if (value === null && header.required) problems.push(`${where}: required header ${name} is missing`);
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
  if (type === 'application/problem+json') problems.push(...problemTypeProblems(where, text, response.status));
  const media = type ? spec.content?.[type] : undefined;
  if (!media) return [...problems, `${where}: content type ${type} not declared (declared: ${Object.keys(spec.content ?? {}).join(', ')})`];
  if (media.schema) {
    const body = type!.includes('json') ? JSON.parse(text) : text;
    const validate = compiled(`${operation.operationId}:${response.status}:${type}`, media.schema);
    if (!validate(body)) problems.push(`${where}: body does not match the schema: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}

/**
 * One request on a connection of its own, as a fetch Response. Towards Prism a pooled keep-alive
 * connection can be closed by Prism's idle timeout just as it is reused (on a busy machine, a
 * test that waits a few seconds between requests hits it): without keep-alive that cannot happen.
 */
function sendOnce(target: string, method: string, headers: Headers, body: ArrayBuffer | undefined, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing: http.OutgoingHttpHeaders = {};
    headers.forEach((value, name) => {
      outgoing[name] = value;
    });
    if (body && body.byteLength > 0) outgoing['content-length'] = String(body.byteLength);
    else if (['POST', 'PUT'].includes(method)) outgoing['content-length'] = '0';
    // The caller's deadline holds behind Prism too: a hang fails as a hang, not as a test timeout.
    const req = http.request(target, { method, headers: outgoing, agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const back = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) back.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const status = res.statusCode ?? 0;
        const payload = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
        resolve(new Response(payload, { status, statusText: res.statusMessage, headers: back }));
      });
    });
    req.on('error', reject);
    req.end(body && body.byteLength > 0 ? Buffer.from(body) : undefined);
  });
}

/**
 * Behind Prism (PRISM_PROXY=1): the same request, sent through the run's Prism proxy to the
 * service at the request's origin (see prism.ts). Prism's own verdicts fail the test: an answer
 * it generated instead of the service's (a request or response that breaks the contract) or an
 * `sl-violations` header.
 */
async function throughPrism(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const direct = request.clone();
  const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
  if (bypassesPrism(request.method, url.pathname + url.search, body)) return fetch(direct);
  const proxy = prismUrl();
  const headers = new Headers(request.headers);
  headers.set(UPSTREAM_HEADER, url.origin);
  const where = `${request.method} ${url.pathname}${url.search}`;
  let response: Response;
  try {
    response = await sendOnce(`${proxy}${url.pathname}${url.search}`, request.method, headers, body, request.signal);
  } catch (error) {
    const message = `${where}: no answer from Prism at ${proxy}: ${String(error)}`;
    // The SDK turns a throwing fetch into `{ error }`, which would hide this message: print it too.
    console.error(message);
    throw new Error(message, { cause: error });
  }
  // As fetch would have it: the URL asked for (the service's), which tests resolve Links against.
  Object.defineProperty(response, 'url', { value: request.url });
  const found: string[] = [];
  const reported = response.headers.get('sl-violations');
  if (reported) found.push(`${where} → ${response.status}: Prism reports violations: ${reported}`);
  if (!response.headers.get('x-request-id')) {
    // Only the service sets X-Request-Id: without it, the answer is Prism's own. A refusal of the
    // request (it breaks openapi.yaml as Prism reads it: no token, an invalid body, an unknown
    // route) never reached the service, whose own answer is what the test is about: that one goes
    // straight to the service, and the contract check of contractFetch still applies. A refusal
    // of the service's response (VIOLATIONS) fails the test.
    const text = await response.clone().text();
    if (!/#VIOLATIONS\b/.test(text)) return fetch(direct);
    found.push(`${where} → ${response.status}: answered by Prism, not by the service: ${text.slice(0, 4000)}`);
  }
  if (found.length > 0) {
    violations.push(...found);
    const message = `Prism (openapi.yaml) rejects this exchange:\n  ${found.join('\n  ')}`;
    console.error(message);
    throw new Error(message);
  }
  return response;
}

/** fetch, plus a contract check of the response. A violation fails the test that caused it. */
export async function contractFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const response = prismEnabled ? await throughPrism(request.clone()) : await fetch(request);
  const found = await check(request.method, new URL(request.url), response);
  if (found.length > 0) {
    violations.push(...found);
    throw new Error(`Response violates openapi.yaml:\n  ${found.join('\n  ')}`);
  }
  return response;
}
