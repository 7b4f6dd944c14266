import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { compareSpecs, guard } from './spec-breaking';

// scripts/spec-breaking.ts on synthetic changes to a small contract: what a client relies on
// must not change under the same major version; additions may.

jest.setTimeout(60_000); // two differs per comparison, on a shared machine

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function contract(): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 'Things', version: '1.4.0' },
    paths: {
      '/things': {
        get: {
          parameters: [{ name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['open', 'done'] } }],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } } } },
        },
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewThing' } } },
          },
          responses: { '201': { description: 'created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
        },
      },
      '/things/{id}': {
        delete: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'gone' } },
        },
      },
    },
    components: {
      schemas: {
        Status: { type: 'string', enum: ['open', 'done'] },
        NewThing: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 100 }, status: { $ref: '#/components/schemas/Status' }, note: { type: 'string' } },
        },
        Thing: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'name', 'status'],
          properties: { id: { type: 'string' }, name: { type: 'string' }, status: { $ref: '#/components/schemas/Status' }, note: { type: 'string' } },
        },
      },
    },
  };
}

const dump = (d: Doc) => yaml.dump(d, { noRefs: true });

async function change(edit: (d: Doc) => void) {
  const revision = contract();
  edit(revision);
  return compareSpecs(dump(contract()), dump(revision));
}

describe('the breaking-change guard', () => {
  it('passes an unchanged contract', async () => {
    const verdict = await change(() => {});
    expect(verdict).toMatchObject({ ok: true, breaking: [] });
    expect(verdict.report).toBe('no breaking change (info.version 1.4.0 → 1.4.0)');
  });

  it('passes additions: a new operation, an optional request field, a new response status', async () => {
    const verdict = await change((d) => {
      d.paths['/things/{id}'].get = { parameters: d.paths['/things/{id}'].delete.parameters, responses: { '200': { description: 'ok' } } };
      d.components.schemas.NewThing.properties.colour = { type: 'string' };
      d.paths['/things'].post.responses['422'] = { description: 'invalid' };
      d.info.version = '1.5.0';
    });
    expect(verdict.breaking).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('fails on a removed operation', async () => {
    const verdict = await change((d) => delete d.paths['/things/{id}'].delete);
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toEqual(expect.arrayContaining([expect.objectContaining({ tool: 'openapi-diff', rule: 'method.remove' })]));
  });

  it('fails on a removed response field', async () => {
    const verdict = await change((d) => {
      delete d.components.schemas.Thing.properties.status;
      d.components.schemas.Thing.required = ['id', 'name'];
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toEqual(
      expect.arrayContaining([expect.objectContaining({ tool: 'openapi-diff', rule: 'response.body.scope.add', where: 'GET /things responses.200 application/json' })]),
    );
  });

  it('fails on a new required request field', async () => {
    const verdict = await change((d) => d.components.schemas.NewThing.required.push('note'));
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toEqual(
      expect.arrayContaining([expect.objectContaining({ tool: 'openapi-diff', rule: 'request.body.scope.remove', where: 'POST /things requestBody application/json' })]),
    );
  });

  it('fails on a narrowed enum in a request body', async () => {
    const verdict = await change((d) => (d.components.schemas.NewThing.properties.status = { type: 'string', enum: ['open'] }));
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'redocly diff', rule: 'enum-values-removed', where: 'POST /things requestBody/content/application/json/schema/properties/status' }),
      ]),
    );
    expect(verdict.report).toContain("lost values: 'done'");
  });

  it('fails on a narrowed enum in a query parameter', async () => {
    const verdict = await change((d) => (d.paths['/things'].get.parameters[0].schema.enum = ['open']));
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toEqual([expect.objectContaining({ tool: 'redocly diff', rule: 'enum-values-removed', where: 'GET /things parameters/0/schema' })]);
  });

  it('fails on a new required query parameter', async () => {
    const verdict = await change((d) => d.paths['/things'].get.parameters.push({ name: 'owner', in: 'query', required: true, schema: { type: 'string' } }));
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toEqual(expect.arrayContaining([expect.objectContaining({ tool: 'redocly diff', rule: 'parameter-became-required' })]));
  });

  it('accepts a breaking change when the major version moves, and says which', async () => {
    const verdict = await change((d) => {
      delete d.paths['/things/{id}'].delete;
      d.info.version = '2.0.0';
    });
    expect(verdict).toMatchObject({ ok: true, majorBumped: true });
    expect(verdict.report).toMatch(/^\d+ breaking change\(s\), accepted: info.version's major moved \(1.4.0 → 2.0.0\)/);
  });

  it('does not take a minor bump for a major one, and tells what to do', async () => {
    const verdict = await change((d) => {
      delete d.paths['/things/{id}'].delete;
      d.info.version = '1.5.0';
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.report).toContain('bump info.version to 2.0.0');
    expect(verdict.report).toContain('DELETE /things/{id}');
  });

  describe('against git history', () => {
    let repo: string;
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo, stdio: 'pipe' });
    beforeAll(() => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-breaking-git-'));
      git('init', '-q');
      fs.writeFileSync(path.join(repo, 'README'), 'first\n');
      git('add', '.');
      git('commit', '-q', '-m', 'before the contract');
      fs.writeFileSync(path.join(repo, 'openapi.yaml'), dump(contract()));
      git('add', '.');
      git('commit', '-q', '-m', 'the contract');
    });
    afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

    it('compares uncommitted changes with HEAD, and fails on a break', async () => {
      const broken = contract();
      delete broken.paths['/things'].post;
      fs.writeFileSync(path.join(repo, 'openapi.yaml'), dump(broken));
      const result = await guard(repo, 'openapi.yaml');
      expect(result.ok).toBe(false);
      expect(result.report).toMatch(/^openapi.yaml against HEAD: /);
      git('checkout', '--', 'openapi.yaml');
    });

    it('passes when the file does not exist at the ref', async () => {
      const result = await guard(repo, 'openapi.yaml', 'HEAD~1');
      expect(result).toEqual({ ok: true, report: expect.stringContaining('nothing to compare') });
    });

    it('refuses a ref that does not exist, rather than passing', async () => {
      await expect(guard(repo, 'openapi.yaml', 'no-such-branch')).rejects.toThrow('no commit no-such-branch');
    });
  });
});
