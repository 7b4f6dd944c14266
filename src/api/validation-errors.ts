import type { ErrorObject } from 'ajv';
import { escapePointer, type FieldError, type FieldLocation } from '../core/problem';

// openapi-backend validates { path, query, header, requestBody } as one document; turn each ajv
// error into the field-level shape of our 422s: body fields as JSON pointers, parameters by name.

const LOCATIONS: Record<string, FieldLocation> = {
  requestBody: 'body',
  query: 'query',
  path: 'path',
  header: 'header',
  headers: 'header',
};

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** The property an error is about, for keywords that name it in params rather than the path. */
function namedProperty(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return params.missingProperty as string;
  if (error.keyword === 'additionalProperties') return params.additionalProperty as string;
  return undefined;
}

export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    const segments = error.instancePath.split('/').slice(1);
    const extra = namedProperty(error);
    if (extra !== undefined) segments.push(escapePointer(extra));
    const [root = 'requestBody', ...rest] = segments;
    const location = LOCATIONS[root] ?? 'body';
    const field =
      location === 'body'
        ? rest.map((s) => `/${s}`).join('')
        : unescapePointer(rest[0] ?? '');
    const message =
      location === 'body' && root === 'requestBody' && rest.length === 0 && error.keyword === 'required'
        ? 'a request body is required'
        : (error.message ?? 'is invalid');
    const item: FieldError = { location, field, message, rule: error.keyword };
    const key = `${location}\u0000${field}\u0000${item.rule}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}
