import type { OpenAPIV3 } from 'openapi-types';
import { loadContract } from '../../src/api/contract';

// openapi.yaml for tests: the document, `deref` for its local $refs, and every operation with what
// a generated test needs to call it (method, path template, parameters, body, security).

export const document = loadContract().document;

function pointer(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document);
}

/** A copy of `node` with every local $ref replaced by what it points to (deeply). */
export function deref<T>(node: unknown, seen: string[] = []): T {
  if (Array.isArray(node)) return node.map((item) => deref(item, seen)) as T;
  if (node === null || typeof node !== 'object') return node as T;
  const record = node as Record<string, unknown>;
  if (typeof record.$ref === 'string') {
    if (seen.includes(record.$ref)) throw new Error(`recursive $ref ${record.$ref}`);
    return deref(pointer(record.$ref) as T, [...seen, record.$ref]);
  }
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, deref(value, seen)])) as T;
}

export interface SpecOperation {
  operationId: string;
  /** Upper case: GET, POST… */
  method: string;
  /** The path template, e.g. /api/{user_id}/tasks/{task_id} */
  template: string;
  parameters: OpenAPIV3.ParameterObject[];
  requestBody?: OpenAPIV3.RequestBodyObject;
  responses: Record<string, OpenAPIV3.ResponseObject>;
  /** Whether the operation needs a bearer token. */
  secured: boolean;
  tags: string[];
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** Every operation of the contract, dereferenced, in document order. */
export const operations: SpecOperation[] = Object.entries(document.paths).flatMap(([template, item]) =>
  METHODS.filter((method) => item?.[method]).map((method) => {
    const operation = item![method]!;
    const parameters = [...(item!.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref<OpenAPIV3.ParameterObject>(p));
    const security = operation.security ?? document.security ?? [];
    return {
      operationId: operation.operationId!,
      method: method.toUpperCase(),
      template,
      parameters,
      requestBody: operation.requestBody ? deref<OpenAPIV3.RequestBodyObject>(operation.requestBody) : undefined,
      responses: deref<Record<string, OpenAPIV3.ResponseObject>>(operation.responses as Record<string, OpenAPIV3.ResponseObject>),
      secured: security.length > 0,
      tags: operation.tags ?? [],
    };
  }),
);

/** The operation with this id. */
export function operation(operationId: string): SpecOperation {
  const found = operations.find((op) => op.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId} in openapi.yaml`);
  return found;
}

/** The template with each `{name}` replaced by `values[name]` as given (not encoded). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in ${template}`);
    return values[name];
  });
}
