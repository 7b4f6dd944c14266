/**
 * Every example in openapi.yaml is valid against its schema: request bodies, responses,
 * parameters, headers, and the `example` of every schema; `example` and named `examples` (inline
 * or `$ref` to components/examples). The same examples feed dredd's fixtures, the docs' "try it",
 * Prism's mocks and property-based tools such as schemathesis, so a wrong one misleads all of them.
 *
 *   npx tsx scripts/check-examples.ts [openapi.yaml]     (`npm run spec:examples`)
 *
 * Validation is ajv (draft-07) + ajv-formats, read the way OpenAPI 3.0 means its schemas:
 * `nullable: true` admits null; in a request a `readOnly` property is not required (it is ignored
 * if sent), and in a response a `writeOnly` property is not required and must not appear (a
 * password is never returned). Exits 1 with the list of mismatches.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
type Direction = 'request' | 'response' | 'schema';

export interface ExampleFailure {
  /** JSON pointer of the example (where it is written, after `$ref`s). */
  example: string;
  /** What it was checked against. */
  schema: string;
  direction: Direction;
  errors: string[];
}

export interface ExampleReport {
  checked: number;
  failures: ExampleFailure[];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function checkExamples(doc: Obj): ExampleReport {
  // ajv 8 reads OpenAPI's `nullable` keyword by itself.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);

  function at(pointer: string): Json {
    if (!pointer.startsWith('#')) throw new Error(`only local $refs are supported, got ${pointer}`);
    let node: Json = doc;
    for (const part of pointer.slice(1).split('/').filter(Boolean).map(unescape)) {
      if (!isObj(node) && !Array.isArray(node)) throw new Error(`unresolvable $ref ${pointer}`);
      node = (node as Record<string, Json>)[part];
      if (node === undefined) throw new Error(`unresolvable $ref ${pointer}`);
    }
    return node;
  }

  /** Follows a chain of `$ref`s: the node and the pointer where it is written. */
  function resolve(node: Json, pointer: string): { node: Json; pointer: string } {
    const seen = new Set<string>();
    while (isObj(node) && typeof node.$ref === 'string') {
      if (seen.has(node.$ref)) throw new Error(`circular $ref ${node.$ref}`);
      seen.add(node.$ref);
      pointer = node.$ref;
      node = at(node.$ref);
    }
    return { node, pointer };
  }

  /**
   * The schema with every `$ref` inlined and read for one direction. Annotations (example,
   * description…) are dropped: they are not constraints.
   */
  function schemaFor(node: Json, direction: Direction, stack: string[] = []): Json {
    if (isObj(node) && typeof node.$ref === 'string') {
      if (stack.includes(node.$ref)) throw new Error(`recursive schema ${node.$ref} is not supported`);
      return schemaFor(at(node.$ref), direction, [...stack, node.$ref]);
    }
    if (!isObj(node)) return node;
    const out: Obj = {};
    for (const [key, value] of Object.entries(node)) {
      if (['example', 'description', 'title', 'externalDocs', 'xml', 'deprecated', 'discriminator'].includes(key)) continue;
      if (key === 'properties' && isObj(value)) {
        const props: Obj = {};
        for (const [name, prop] of Object.entries(value)) props[name] = schemaFor(prop, direction, stack);
        out.properties = props;
      } else if (['items', 'additionalProperties', 'not'].includes(key) && isObj(value)) {
        out[key] = schemaFor(value, direction, stack);
      } else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) {
        out[key] = value.map((s) => schemaFor(s, direction, stack));
      } else {
        out[key] = value;
      }
    }
    if (direction !== 'schema' && isObj(out.properties)) {
      const flag = direction === 'request' ? 'readOnly' : 'writeOnly';
      const flagged = Object.entries(out.properties)
        .filter(([, prop]) => isObj(prop) && prop[flag] === true)
        .map(([name]) => name);
      if (Array.isArray(out.required)) out.required = out.required.filter((name) => !flagged.includes(name as string));
      // Never in a response: a writeOnly property (a password) that shows up is a leak.
      if (direction === 'response') for (const name of flagged) out.properties[name] = false;
    }
    return out;
  }

  const failures: ExampleFailure[] = [];
  const done = new Set<string>();
  let checked = 0;

  function check(value: Json, examplePointer: string, schema: Json, schemaPointer: string, direction: Direction) {
    const key = `${examplePointer}|${schemaPointer}|${direction}`;
    if (done.has(key)) return;
    done.add(key);
    checked++;
    let validate;
    try {
      validate = ajv.compile(schemaFor(schema, direction) as object);
    } catch (err) {
      failures.push({ example: examplePointer, schema: schemaPointer, direction, errors: [`the schema does not compile: ${(err as Error).message}`] });
      return;
    }
    if (!validate(value)) {
      failures.push({ example: examplePointer, schema: schemaPointer, direction, errors: (validate.errors ?? []).map(describe) });
    }
  }

  /** `example` and each of `examples` (inline or `$ref`) of a media type, parameter or header. */
  function checkHolder(holder: Json, pointer: string, schema: Json, schemaPointer: string, direction: Direction) {
    if (!isObj(holder) || schema === undefined) return;
    if (holder.example !== undefined) check(holder.example, `${pointer}/example`, schema, schemaPointer, direction);
    if (isObj(holder.examples)) {
      for (const [name, raw] of Object.entries(holder.examples)) {
        const { node, pointer: where } = resolve(raw, `${pointer}/examples/${escape(name)}`);
        if (!isObj(node)) continue;
        if (node.externalValue !== undefined && node.value === undefined) {
          failures.push({ example: where, schema: schemaPointer, direction, errors: ['externalValue examples cannot be checked; inline the value'] });
          continue;
        }
        check(node.value, `${where}/value`, schema, schemaPointer, direction);
      }
    }
  }

  function checkContent(content: Json, pointer: string, direction: Direction) {
    if (!isObj(content)) return;
    for (const [type, media] of Object.entries(content)) {
      const mediaPointer = `${pointer}/${escape(type)}`;
      if (isObj(media)) checkHolder(media, mediaPointer, media.schema, `${mediaPointer}/schema`, direction);
    }
  }

  function checkParameter(raw: Json, pointer: string) {
    const { node, pointer: where } = resolve(raw, pointer);
    if (!isObj(node)) return;
    if (node.schema !== undefined) checkHolder(node, where, node.schema, `${where}/schema`, 'request');
    if (node.content !== undefined) checkContent(node.content, `${where}/content`, 'request');
  }

  function checkResponse(raw: Json, pointer: string) {
    const { node, pointer: where } = resolve(raw, pointer);
    if (!isObj(node)) return;
    if (isObj(node.headers)) {
      for (const [name, rawHeader] of Object.entries(node.headers)) {
        const { node: header, pointer: headerAt } = resolve(rawHeader, `${where}/headers/${escape(name)}`);
        if (isObj(header)) checkHolder(header, headerAt, header.schema, `${headerAt}/schema`, 'response');
      }
    }
    checkContent(node.content, `${where}/content`, 'response');
  }

  /** The `example` of every schema, nested ones included, against that schema. */
  function checkSchemaExamples(node: Json, pointer: string) {
    if (!isObj(node) || typeof node.$ref === 'string') return;
    if (node.example !== undefined) check(node.example, `${pointer}/example`, node, pointer, 'schema');
    if (isObj(node.properties)) for (const [name, prop] of Object.entries(node.properties)) checkSchemaExamples(prop, `${pointer}/properties/${escape(name)}`);
    for (const key of ['items', 'additionalProperties', 'not']) checkSchemaExamples(node[key], `${pointer}/${key}`);
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = node[key];
      if (Array.isArray(list)) list.forEach((s, i) => checkSchemaExamples(s, `${pointer}/${key}/${i}`));
    }
  }

  const paths = isObj(doc.paths) ? doc.paths : {};
  for (const [route, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    const itemAt = `#/paths/${escape(route)}`;
    if (Array.isArray(item.parameters)) item.parameters.forEach((p, i) => checkParameter(p, `${itemAt}/parameters/${i}`));
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const opAt = `${itemAt}/${method}`;
      if (Array.isArray(op.parameters)) op.parameters.forEach((p, i) => checkParameter(p, `${opAt}/parameters/${i}`));
      if (op.requestBody !== undefined) {
        const { node: body, pointer: bodyAt } = resolve(op.requestBody, `${opAt}/requestBody`);
        if (isObj(body)) checkContent(body.content, `${bodyAt}/content`, 'request');
      }
      if (isObj(op.responses)) for (const [status, response] of Object.entries(op.responses)) checkResponse(response, `${opAt}/responses/${escape(status)}`);
    }
  }
  // Components nothing refers to (yet) are checked too.
  const components = isObj(doc.components) ? doc.components : {};
  for (const [name, p] of Object.entries(isObj(components.parameters) ? components.parameters : {})) checkParameter(p, `#/components/parameters/${escape(name)}`);
  for (const [name, r] of Object.entries(isObj(components.responses) ? components.responses : {})) checkResponse(r, `#/components/responses/${escape(name)}`);
  for (const [name, b] of Object.entries(isObj(components.requestBodies) ? components.requestBodies : {})) {
    if (isObj(b)) checkContent(b.content, `#/components/requestBodies/${escape(name)}/content`, 'request');
  }
  for (const [name, h] of Object.entries(isObj(components.headers) ? components.headers : {})) {
    if (isObj(h)) checkHolder(h, `#/components/headers/${escape(name)}`, h.schema, `#/components/headers/${escape(name)}/schema`, 'response');
  }
  for (const [name, s] of Object.entries(isObj(components.schemas) ? components.schemas : {})) checkSchemaExamples(s, `#/components/schemas/${escape(name)}`);

  return { checked, failures };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(the example)';
  const params = error.params as Record<string, unknown>;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String(params.additionalProperty)})`
      : error.keyword === 'enum'
        ? ` (${JSON.stringify(params.allowedValues)})`
        : '';
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}

export function formatReport(file: string, report: ExampleReport): string {
  if (report.failures.length === 0) return `${file}: all ${report.checked} examples match their schemas`;
  const lines = [`${file}: ${report.failures.length} of ${report.checked} examples do not match their schemas`];
  for (const f of report.failures) {
    lines.push(`  ✖ ${f.example}`, `      against ${f.schema} (as a ${f.direction === 'schema' ? 'schema example' : f.direction})`);
    for (const e of f.errors) lines.push(`      - ${e}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2] ?? path.resolve(__dirname, '..', 'openapi.yaml');
  try {
    const report = checkExamples(yaml.load(fs.readFileSync(file, 'utf8')) as Obj);
    const text = formatReport(path.relative(process.cwd(), file) || file, report);
    if (report.failures.length > 0) {
      console.error(text);
      process.exit(1);
    }
    console.log(text);
  } catch (err) {
    console.error(`check-examples: ${(err as Error).message}`);
    process.exit(2);
  }
}
