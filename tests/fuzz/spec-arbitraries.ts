import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { deref, document } from '../helpers/spec';

// Request data generated from openapi.yaml's own schemas, for the subset of JSON Schema the
// contract uses (type, nullable, enum, minLength/maxLength, pattern, format uuid/date-time,
// minimum/maximum, properties/required/additionalProperties, readOnly/writeOnly, $ref).
//
// `valid(schema)` draws values the schema accepts (checked with Ajv + ajv-formats, as the service
// and contract.ts check them); `invalid(schema)` draws values it refuses, each labelled with the
// rule it breaks. What the contract says only in prose (a title must not be blank, `completed`
// and `status` must agree, a body `user_id` must be the caller) is applied by each suite on top.

export type Schema = {
  $ref?: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  nullable?: boolean;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  readOnly?: boolean;
  writeOnly?: boolean;
  default?: unknown;
  items?: Schema;
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// The contract, dereferenced
// ---------------------------------------------------------------------------------------------

const paths = document.paths as unknown as Record<string, Record<string, OperationObject>>;

interface OperationObject {
  operationId?: string;
  parameters?: { name: string; in: string; schema: Schema; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

function operation(operationId: string): OperationObject {
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) if (op?.operationId === operationId) return deref(op);
  }
  throw new Error(`no operation ${operationId} in openapi.yaml`);
}

/** The JSON request body schema of an operation. */
export function requestSchema(operationId: string): Schema {
  const schema = operation(operationId).requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`${operationId} has no application/json request body`);
  return schema;
}

/** The query parameters of an operation, by name. */
export function queryParameters(operationId: string): Record<string, Schema> {
  const params = operation(operationId).parameters ?? [];
  return Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
}

/** A component schema, dereferenced. */
export function componentSchema(name: string): Schema {
  return deref((document.components as unknown as { schemas: Record<string, Schema> }).schemas[name]);
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<Schema, ValidateFunction>();

/** Ajv + ajv-formats, as the service and contract.ts validate. */
export function validator(schema: Schema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

export const accepts = (schema: Schema, value: unknown) => validator(schema)(value) as boolean;
export const explain = (schema: Schema, value: unknown) => (validator(schema)(value) ? 'valid' : ajv.errorsText(validator(schema).errors));

// ---------------------------------------------------------------------------------------------
// Text worth sending anywhere a string goes
// ---------------------------------------------------------------------------------------------

/** Text that has broken other services: injection snippets, scripts, bidi controls, emoji… */
export const NASTY_TEXT = [
  "'; DROP TABLE tasks; --",
  "Robert'); DROP TABLE users;--",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  "$$; DELETE FROM tasks; $$",
  '\\x27 \\\\ \\" %27 %00',
  '<script>alert("x")</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  '{{7*7}} ${7*7} #{7*7}',
  '../../etc/passwd',
  '{"title": "json in a string"}',
  'مرحبا بالعالم',
  'שלום עולם',
  '\u202Eevil\u202C reversed',
  'a\u200Bb\u200Dc\uFEFFd',
  'Z\u0351\u0354a\u0350l\u0352g\u0357o\u0301',
  '👩‍👩‍👧‍👦🏳️‍🌈🇺🇦😀',
  '𝕳𝖊𝖑𝖑𝖔 𐍈 𠜎',
  'line one\nline two\r\nline three\ttab',
  '\u0000nul inside\u0000',
  '\u0001\u001f\u007f control',
  'ﷺ ǅ ﬁ Å Å',
];

// 'binary' is any code point (never a lone surrogate), 'grapheme' printable clusters (emoji…).
const textUnit = fc.constantFrom<'grapheme' | 'binary' | 'grapheme-ascii' | 'binary-ascii'>('grapheme', 'binary', 'grapheme-ascii', 'binary-ascii');

/** Code points, not UTF-16 units: JSON Schema lengths count code points. */
export const codePoints = (text: string) => [...text].length;
const cut = (text: string, max: number) => [...text].slice(0, max).join('');

/** A string of `min`..`max` code points: random Unicode (any plane), nasty snippets, or a mix. */
export function text(min: number, max: number): fc.Arbitrary<string> {
  const random = textUnit.chain((unit) => fc.string({ unit, minLength: min, maxLength: Math.min(max, 300) }));
  const nasty = fc.constantFrom(...NASTY_TEXT);
  const mixed = fc.array(fc.oneof(nasty, random), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));
  const full = fc.constant(max).chain((n) => fc.constantFrom('x', 'é', '😀', '\u05D0').map((c) => c.repeat(n)));
  return fc
    .oneof({ weight: 4, arbitrary: random }, { weight: 3, arbitrary: nasty }, { weight: 2, arbitrary: mixed }, { weight: 1, arbitrary: full })
    .map((s) => cut(s, max))
    .map((s) => (codePoints(s) >= min ? s : s + 'x'.repeat(min - codePoints(s))))
    // U+0000 is refused with 400 whatever the schema (PostgreSQL text cannot hold it; see the
    // contract's description of 400): valid text carries U+0001 in its place, same length.
    .map((s) => s.replaceAll('\u0000', '\u0001'));
}

// ---------------------------------------------------------------------------------------------
// Valid values
// ---------------------------------------------------------------------------------------------

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 date-times in the shapes clients send: Z or an offset, with or without fractions. */
export const dateTime: fc.Arbitrary<string> = fc
  .record({
    date: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }),
    fraction: fc.constantFrom('', '.5', '.123', '.000001', '.123456789'),
    offset: fc.oneof(fc.constant('Z'), fc.integer({ min: -14 * 60, max: 14 * 60 })),
  })
  .map(({ date, fraction, offset }) => {
    const minutes = offset === 'Z' ? 0 : offset;
    const local = new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 19);
    const zone = offset === 'Z' ? 'Z' : `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
    return `${local}${fraction}${zone}`;
  });

function stringValue(schema: Schema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.format === 'uuid') return fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()));
  if (schema.format === 'date-time') return dateTime;
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 1000;
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    return fc.stringMatching(pattern).filter((s) => codePoints(s) >= min && codePoints(s) <= max);
  }
  return text(min, max);
}

/** Values `schema` accepts. Object properties are each present or absent (required ones always). */
export function valid(schema: Schema): fc.Arbitrary<Json> {
  const base = validUnchecked(schema);
  return base.filter((value) => accepts(schema, value));
}

function validUnchecked(schema: Schema): fc.Arbitrary<Json> {
  let arb: fc.Arbitrary<Json>;
  switch (schema.type) {
    case 'string':
      arb = stringValue(schema);
      break;
    case 'integer':
      arb = fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
      break;
    case 'number':
      arb = fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      break;
    case 'boolean':
      arb = fc.boolean();
      break;
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, validUnchecked(sub)]));
      arb = fc.record(model, { requiredKeys: schema.required ?? [] }) as fc.Arbitrary<Json>;
      break;
    }
    case 'array':
      arb = fc.array(validUnchecked(schema.items ?? {}), { maxLength: 5 });
      break;
    default:
      arb = fc.jsonValue() as fc.Arbitrary<Json>;
  }
  return schema.nullable ? fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }) : arb;
}

// ---------------------------------------------------------------------------------------------
// Invalid values: one broken rule each, named
// ---------------------------------------------------------------------------------------------

export interface Mutation {
  /** Which rule the value breaks, e.g. `/title: maxLength` or `body: not an object`. */
  rule: string;
  value: Json;
  /** Over the service's body limit: 413 rather than 422. */
  huge?: boolean;
}

const otherTypes: Record<string, Json[]> = {
  string: [42, -1.5, true, false, {}, [], ['text'], { text: 'x' }],
  integer: ['1', '1.0', 1.5, true, {}, [], 'abc'],
  number: ['1', true, {}, []],
  boolean: ['true', 'false', 1, 0, 'yes', {}, []],
  object: ['{}', 1, true, [], [{}]],
  array: ['[]', 1, {}, true],
};

/** Values that break `schema` (for a property of it, or a scalar parameter). */
function brokenValues(schema: Schema): fc.Arbitrary<{ rule: string; value: Json; huge?: boolean }> {
  const options: fc.Arbitrary<{ rule: string; value: Json; huge?: boolean }>[] = [];
  if (schema.type) options.push(fc.constantFrom(...otherTypes[schema.type]).map((value) => ({ rule: `type ${schema.type}`, value })));
  if (!schema.nullable) options.push(fc.constant({ rule: 'null', value: null }));
  if (schema.enum) {
    const outside = fc
      .oneof(
        fc.constantFrom(...(schema.enum as string[]).map((e) => e.toUpperCase()), ...(schema.enum as string[]).map((e) => ` ${e}`), '', 'unknown', 'DROP TABLE'),
        text(0, 20),
      )
      .filter((v) => !(schema.enum as unknown[]).includes(v));
    options.push(outside.map((value) => ({ rule: 'enum', value })));
  }
  if (schema.maxLength !== undefined) {
    const max = schema.maxLength;
    options.push(
      fc.constantFrom('x', 'é', '😀', '\u05D0', '\u0000').map((c) => ({ rule: 'maxLength', value: c.repeat(max + 1) })),
      fc.integer({ min: max + 2, max: max * 4 + 10 }).map((n) => ({ rule: 'maxLength', value: 'y'.repeat(n) })),
      fc.constant({ rule: 'maxLength (over the body limit)', value: 'z'.repeat(200_000), huge: true }),
    );
  }
  if (schema.minLength) options.push(fc.constant({ rule: 'minLength', value: 'x'.repeat(schema.minLength - 1) }));
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    options.push(
      fc
        .oneof(fc.constantFrom('not-an-email', 'a@@example.org', 'a@example', '@example.org', 'a b@example.org', 'a@-x.org', 'a..b@example.org'), text(1, 40))
        .filter((v) => !pattern.test(v) && codePoints(v) <= (schema.maxLength ?? Infinity))
        .map((value) => ({ rule: 'pattern', value })),
    );
  }
  if (schema.format === 'uuid') {
    options.push(
      fc
        .constantFrom('not-a-uuid', '3f1c2a9e8d4b4f7a9c2e1a2b3c4d5e6f', '{3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f}', '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6', 'g'.repeat(8) + '-8d4b-4f7a-9c2e-1a2b3c4d5e6f', "' OR 1=1 --", '')
        .map((value) => ({ rule: 'format uuid', value })),
    );
  }
  if (schema.format === 'date-time') {
    options.push(
      fc
        .constantFrom('tomorrow', '2026-12-15', '2026-12-15T17:00:00', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-12-15T25:00:00Z', '15/12/2026 17:00', '1765818000', '')
        .map((value) => ({ rule: 'format date-time', value })),
    );
  }
  if (schema.minimum !== undefined) options.push(fc.integer({ min: -1000, max: schema.minimum - 1 }).map((value) => ({ rule: 'minimum', value })));
  if (schema.maximum !== undefined) options.push(fc.integer({ min: schema.maximum + 1, max: schema.maximum + 1000 }).map((value) => ({ rule: 'maximum', value })));
  return fc.oneof(...options);
}

/** Objects that break `schema` in exactly one named way, built from a valid one. */
export function invalid(schema: Schema, base: fc.Arbitrary<Json> = valid(schema)): fc.Arbitrary<Mutation> {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const objectBase = base as fc.Arbitrary<Record<string, Json>>;
  const options: fc.Arbitrary<Mutation>[] = [
    // Not an object at all.
    fc.oneof(fc.constantFrom<Json>([], 'a string', 42, true, null), base.map((value) => [value])).map((value) => ({ rule: 'body: not an object', value })),
    // One property broken.
    fc
      .tuple(objectBase, fc.constantFrom(...names))
      .chain(([value, name]) =>
        brokenValues(properties[name]).map((broken) => ({ rule: `/${name}: ${broken.rule}`, value: { ...value, [name]: broken.value }, huge: broken.huge })),
      ),
  ];
  for (const name of schema.required ?? []) {
    options.push(
      objectBase.map((value) => {
        const { [name]: _removed, ...rest } = value;
        return { rule: `/${name}: required`, value: rest };
      }),
    );
  }
  if (schema.additionalProperties === false) {
    const extraName = fc.oneof(fc.constantFrom('colour', 'admin', 'is_admin', '__proto__', 'constructor', 'Title', 'title ', 'owner', ''), fc.string({ minLength: 1, maxLength: 20 }));
    options.push(
      fc
        .tuple(objectBase, extraName.filter((key) => !names.includes(key)), fc.jsonValue() as fc.Arbitrary<Json>)
        .map(([value, key, extra]) => ({ rule: `/${key}: additionalProperties`, value: withKey(value, key, extra) })),
    );
  }
  return fc.oneof(...options).filter((m) => !accepts(schema, m.value));
}

/** `{...value, [key]: extra}`, also for keys like `__proto__` that a spread would swallow. */
function withKey(value: Record<string, Json>, key: string, extra: Json): Record<string, Json> {
  const copy: Record<string, Json> = { ...value };
  Object.defineProperty(copy, key, { value: extra, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** Invalid values for a scalar query parameter, as query-string text. */
export function invalidQueryValue(schema: Schema): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [];
  if (schema.type === 'integer') {
    options.push(fc.constantFrom('abc', '2.5', '', '-1', 'NaN', 'Infinity', '1000000000000000000000', "1' OR '1'='1", '[]'));
    if (schema.minimum !== undefined) options.push(fc.integer({ min: -1000, max: schema.minimum - 1 }).map(String));
    if (schema.maximum !== undefined) options.push(fc.integer({ min: schema.maximum + 1, max: 100_000 }).map(String));
  }
  if (schema.type === 'boolean') options.push(fc.constantFrom('yes', 'no', '1', '0', 'TRUE ', 'maybe', '', 'null'));
  if (schema.enum) {
    options.push(
      fc
        .oneof(fc.constantFrom('', 'DROP TABLE tasks', '<script>', 'title', '-id', 'null'), fc.string({ minLength: 1, maxLength: 20 }))
        .filter((v) => !(schema.enum as unknown[]).includes(v)),
    );
  }
  if (schema.maxLength !== undefined) options.push(fc.constant('c'.repeat(schema.maxLength + 1)));
  if (options.length === 0) throw new Error(`no invalid values for ${JSON.stringify(schema)}`);
  return fc.oneof(...options);
}
