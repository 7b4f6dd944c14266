import type OpenAPIBackend from 'openapi-backend';
import { OpenAPIRouter, type Operation, type ParsedRequest, type Request } from 'openapi-backend';
import * as cookie from 'cookie';

// openapi-backend's router, with its route table compiled once. The stock router rebuilds its
// operation list with lodash, compiles one RegExp per path template and re-parses the request
// (lodash mapKeys, cloneDeep, a new path-template matcher) on every call, and handleRequest calls
// it several times per request (docs/performance.md has what that cost). The document does not change
// after init, so everything that depends only on it is computed here, once; what depends on the
// request follows the stock router's rules exactly.

interface CompiledRoute {
  operation: Operation;
  method: string;
  /** ^…$ with one capture group per path parameter, in order. */
  pattern: RegExp;
  names: string[];
  /** Literal characters in the template: the stock router's specificity order. */
  specificity: number;
  /** Query parameters by name, for the stock router's array decoding. */
  queryParameters: Map<string, QueryParameter>;
}

/** The path as the stock router returns it: trimmed, with a leading slash, no query string. */
function requestPath(req: Request): string {
  const path = req.path?.trim() ?? '';
  return (path.startsWith('/') ? path : `/${path}`).split('?')[0];
}

/** The path as the stock router matches it: that, trimmed again, without trailing slashes. */
function matchedPath(req: Request): string {
  let path = requestPath(req).trim();
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

type QueryParameter = { explode?: boolean; style?: string; json: boolean };

/** The query parameters an operation declares, by name, with what decoding them needs. */
export function queryParametersOf(operation: Operation): Map<string, QueryParameter> {
  const parameters = new Map<string, QueryParameter>();
  for (const parameter of operation.parameters ?? []) {
    if ('$ref' in parameter || parameter.in !== 'query') continue;
    const json = Boolean((parameter as { content?: Record<string, unknown> }).content?.['application/json']);
    parameters.set(parameter.name, { explode: parameter.explode, style: parameter.style, json });
  }
  return parameters;
}

const escapeRegExp = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(operation: Operation): CompiledRoute {
  const names: string[] = [];
  const source = operation.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (!/^\{[^}]+\}$/.test(part)) return escapeRegExp(part);
      names.push(part.slice(1, -1));
      return '([^/]+)';
    })
    .join('');
  return {
    operation,
    method: operation.method,
    pattern: new RegExp(`^${source}$`),
    names,
    specificity: operation.path.replace(/\{.*?\}/g, '').length,
    queryParameters: queryParametersOf(operation),
  };
}

export class ContractRouter extends OpenAPIRouter {
  private readonly operations: Operation[];
  private readonly byId: Map<string, Operation>;
  private readonly exact = new Map<string, CompiledRoute>();
  /** Templates, most specific first (a stable sort, as lodash's orderBy). */
  private readonly templates: CompiledRoute[];
  /** By method and path template: an operation object from elsewhere finds its route too. */
  private readonly routes = new Map<string, CompiledRoute>();

  constructor(source: OpenAPIRouter) {
    super({ definition: source.definition, apiRoot: source.apiRoot });
    // matchedPath assumes the stock defaults: the API at the root, trailing slashes ignored.
    if (this.apiRoot !== '/') throw new Error('ContractRouter serves an API at the root only');
    this.operations = source.getOperations();
    this.byId = new Map(this.operations.filter((op) => op.operationId).map((op) => [op.operationId!, op]));
    const compiled = this.operations.map(compile);
    for (const route of compiled) {
      this.routes.set(`${route.method} ${route.operation.path}`, route);
      if (route.names.length === 0) this.exact.set(`${route.method} ${route.operation.path}`, route);
    }
    this.templates = [...compiled].sort((a, b) => b.specificity - a.specificity);
  }

  /**
   * Replaces the router of an initialised backend (and of its validator, which shares it). This
   * relies on how openapi-backend 5 holds its router: in `api.router`, shared by `api.validator`.
   * A release that kept it elsewhere would bypass the compiled table without a word, so that is
   * checked here (the service refuses to start), and tests/unit/router.test.ts checks that every
   * parse of a handled request goes through this class.
   */
  static install(api: OpenAPIBackend): ContractRouter {
    if (!(api.router instanceof OpenAPIRouter) || (api.validator && api.validator.router !== api.router)) {
      throw new Error('openapi-backend no longer keeps its router in api.router shared with api.validator: ContractRouter cannot replace it (see src/api/router.ts)');
    }
    const router = new ContractRouter(api.router);
    api.router = router;
    if (api.validator) api.validator.router = router;
    return router;
  }

  override getOperations(): Operation[] {
    return this.operations;
  }

  override getOperation(operationId: string): Operation | undefined {
    return this.byId.get(operationId);
  }

  private route(req: Request): { route?: CompiledRoute; pathKnown: boolean } {
    const path = matchedPath(req);
    const method = req.method.trim().toLowerCase();
    const exact = this.exact.get(`${method} ${path}`);
    if (exact) return { route: exact, pathKnown: true };
    let pathKnown = false;
    for (const route of this.templates) {
      if (!route.pattern.test(path)) continue;
      pathKnown = true;
      if (route.method === method) return { route, pathKnown };
    }
    return { pathKnown };
  }

  override matchOperation(req: Request): Operation | undefined;
  override matchOperation(req: Request, strict: boolean): Operation;
  override matchOperation(req: Request, strict?: boolean): Operation | undefined {
    const { route, pathKnown } = this.route(req);
    if (route) return route.operation;
    if (!strict) return undefined;
    throw new Error(pathKnown ? '405-methodNotAllowed: this method is not registered for the route' : '404-notFound: no route matches request');
  }

  override parseRequest(req: Request, operation?: Operation): ParsedRequest {
    // Unlike the stock router, a string body is not parsed as JSON again: the service's body
    // parser has already turned the request into JSON values, so a string here is a JSON string
    // (`"{\"title\":\"x\"}"`), which validation must refuse, not a task to decode twice.
    const requestBody = req.body;
    const headers: Record<string, string | string[]> = {};
    const given = req.headers ?? {};
    for (const name in given) if (Object.hasOwn(given, name)) headers[name.toLowerCase()] = given[name];
    const cookieHeader = headers.cookie;
    const cookies = cookieHeader === undefined ? {} : cookie.parse([cookieHeader].flat().join('; '));
    const query = this.queryOf(req);
    const path = requestPath(req);
    let params: Record<string, string> = {};
    const route = operation && this.routes.get(`${operation.method} ${operation.path}`);
    if (route) {
      const values = route.pattern.exec(matchedPath(req));
      if (values) params = Object.fromEntries(route.names.map((name, i) => [name, decodeSegment(values[i + 1])]));
      decodeQuery(query, route);
    }
    const parsed = { method: req.method.trim().toLowerCase(), path, params, headers, query, cookies, requestBody, body: req.body } as ParsedRequest;
    // What else the caller put on the request travels along, as in the stock router's
    // `{ ...req, … }`, without the spread, which costs far more than this loop, four times a
    // request (openapi-backend parses each request four times; docs/performance.md has figures).
    for (const key in req) {
      if (Object.hasOwn(req, key) && !(key in parsed)) (parsed as unknown as Record<string, unknown>)[key] = (req as unknown as Record<string, unknown>)[key];
    }
    return parsed;
  }

  /** A copy of the query (handlers may change theirs), arrays copied too. */
  private queryOf(req: Request): Record<string, string | string[]> {
    if (typeof req.query !== 'object' || req.query === null) return super.parseRequestQuery(req) as Record<string, string | string[]>;
    const copy: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.query)) copy[name] = Array.isArray(value) ? [...value] : value;
    return copy;
  }
}

/**
 * A path parameter, percent-decoded. The service refuses undecodable URLs before routing
 * (src/http/well-formed-url.ts); anyone else calling the router gets the segment as sent rather
 * than a URIError.
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The stock router's decoding of JSON and non-exploded array query parameters. */
function decodeQuery(query: Record<string, unknown>, route: CompiledRoute) {
  for (const name of Object.keys(query)) {
    const parameter = route.queryParameters.get(name);
    const raw = query[name];
    if (!parameter || !raw) continue;
    if (parameter.json) {
      if (typeof raw === 'string') {
        try {
          query[name] = JSON.parse(raw);
        } catch {
          // left as is: validation reports it
        }
      }
    } else if (parameter.explode === false) {
      if (Array.isArray(raw) && raw.length > 1) continue;
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (typeof value !== 'string') continue;
      let decoded = value.replace(/%2C/g, ',');
      if (parameter.style === 'spaceDelimited') decoded = decoded.replace(/ /g, ',').replace(/%20/g, ',');
      if (parameter.style === 'pipeDelimited') decoded = decoded.replace(/\|/g, ',').replace(/%7C/g, ',');
      query[name] = decoded.split(',');
    }
  }
}
