import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { checkExamples, formatReport } from './check-examples';

// scripts/check-examples.ts: every example in the contract matches its schema, read the OpenAPI
// 3.0 way (nullable, readOnly in requests, writeOnly in responses).

const contract = yaml.load(fs.readFileSync(path.resolve(__dirname, '../openapi.yaml'), 'utf8')) as Record<string, never>;

/** A small contract whose every example is valid; tests break one thing at a time. */
function specWith(change: (d: any) => void = () => {}) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const doc = {
    openapi: '3.0.3',
    info: { title: 't', version: '1.0.0' },
    paths: {
      '/things/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, example: '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f' }],
        put: {
          parameters: [{ name: 'mode', in: 'query', schema: { type: 'string', enum: ['fast', 'slow'] }, example: 'fast' }],
          requestBody: {
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Thing' },
                examples: { named: { $ref: '#/components/examples/NewThing' } },
              },
            },
          },
          responses: {
            '200': {
              description: 'ok',
              headers: { 'Retry-After': { schema: { type: 'integer', minimum: 0 }, example: 5 } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' }, example: { id: 'a', name: 'n', note: null } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'name', 'note'],
          properties: {
            id: { type: 'string', readOnly: true },
            name: { type: 'string', maxLength: 5, example: 'box' },
            note: { type: 'string', nullable: true },
            secret: { type: 'string', writeOnly: true },
            when: { type: 'string', format: 'date-time' },
          },
        },
      },
      examples: { NewThing: { summary: 's', value: { name: 'box', note: 'x', secret: 'pw' } } },
    },
  };
  change(doc);
  return doc;
}

const failuresOf = (doc: object) => checkExamples(doc as never).failures;

describe('check-examples', () => {
  it('finds every example of openapi.yaml valid', () => {
    const report = checkExamples(contract);
    expect(formatReport('openapi.yaml', report)).toBe(`openapi.yaml: all ${report.checked} examples match their schemas`);
    expect(report.checked).toBeGreaterThan(100);
  });

  it('accepts a valid spec: readOnly fields left out of a request, writeOnly ones out of a response, null where nullable', () => {
    expect(failuresOf(specWith())).toEqual([]);
  });

  it('checks named examples behind a $ref, where they are written', () => {
    const failures = failuresOf(specWith((d) => (d.components.examples.NewThing.value.name = 'far too long')));
    expect(failures).toEqual([
      expect.objectContaining({ example: '#/components/examples/NewThing/value', direction: 'request', errors: ['/name must NOT have more than 5 characters'] }),
    ]);
  });

  it('refuses null where the schema is not nullable', () => {
    const failures = failuresOf(specWith((d) => (d.paths['/things/{id}'].put.responses['200'].content['application/json'].example.name = null)));
    expect(failures.map((f) => f.errors)).toEqual([['/name must be string']]);
  });

  it('refuses a response example without a required field', () => {
    const failures = failuresOf(specWith((d) => delete d.paths['/things/{id}'].put.responses['200'].content['application/json'].example.note));
    expect(failures[0].errors).toEqual(["(the example) must have required property 'note'"]);
  });

  it('refuses a writeOnly field in a response example', () => {
    const failures = failuresOf(specWith((d) => (d.paths['/things/{id}'].put.responses['200'].content['application/json'].example.secret = 'pw')));
    expect(failures).toEqual([expect.objectContaining({ direction: 'response', errors: ['/secret boolean schema is false'] })]);
  });

  it('checks formats, unknown properties, parameters, headers and schema examples', () => {
    const failures = failuresOf(
      specWith((d) => {
        d.components.examples.NewThing.value.when = 'tomorrow';
        d.components.examples.NewThing.value.colour = 'red';
        d.paths['/things/{id}'].parameters[0].example = 'not-a-uuid';
        d.paths['/things/{id}'].put.parameters[0].example = 'medium';
        d.paths['/things/{id}'].put.responses['200'].headers['Retry-After'].example = -1;
        d.components.schemas.Thing.properties.name.example = 'much too long';
      }),
    );
    expect(Object.fromEntries(failures.map((f) => [f.example, f.errors]))).toEqual({
      '#/components/examples/NewThing/value': ['(the example) must NOT have additional properties (colour)', '/when must match format "date-time"'],
      '#/paths/~1things~1{id}/parameters/0/example': ['(the example) must match format "uuid"'],
      '#/paths/~1things~1{id}/put/parameters/0/example': ['(the example) must be equal to one of the allowed values (["fast","slow"])'],
      '#/paths/~1things~1{id}/put/responses/200/headers/Retry-After/example': ['(the example) must be >= 0'],
      '#/components/schemas/Thing/properties/name/example': ['(the example) must NOT have more than 5 characters'],
    });
  });

  it('lists every mismatch in its report', () => {
    const report = checkExamples(specWith((d) => (d.components.examples.NewThing.value.name = 7)) as never);
    expect(formatReport('spec.yaml', report)).toBe(
      [
        `spec.yaml: 1 of ${report.checked} examples do not match their schemas`,
        '  ✖ #/components/examples/NewThing/value',
        '      against #/paths/~1things~1{id}/put/requestBody/content/application~1json/schema (as a request)',
        '      - /name must be string',
      ].join('\n'),
    );
  });
});
