import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';

// The spec lint's own conventions (the rule/* entries and the configured built-ins of
// redocly.yaml) are proven in both directions: the real contract lints clean, and a copy broken in
// one place per rule makes each rule report, at that place. A rule that never reports would
// otherwise look exactly like a contract that never breaks it.

const root = path.resolve(__dirname, '..');
const redocly = path.join(root, 'node_modules/.bin/redocly');

interface Problem {
  ruleId: string;
  severity: string;
  location: { pointer: string }[];
}

function lint(file: string): { errors: number; warnings: number; problems: Problem[] } {
  const run = spawnSync(redocly, ['lint', '--config', path.join(root, 'redocly.yaml'), '--max-problems', '10000', '--format', 'json', file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  if (!run.stdout) throw new Error(`redocly produced no report: ${run.stderr}`);
  const report = JSON.parse(run.stdout);
  return { ...report.totals, problems: report.problems };
}

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const contract = () => yaml.load(fs.readFileSync(path.join(root, 'openapi.yaml'), 'utf8')) as Doc;
const problemJson = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, examples: { e: { summary: 'e', value: {} } } } };
const requestIdOnly = { 'X-Request-Id': { $ref: '#/components/headers/XRequestId' } };

/** Each rule, the one change that breaks it, and where it must report. */
const BREAKS: { rule: string; at: string; breakIt: (d: Doc) => void }[] = [
  {
    rule: 'rule/media-type-named-examples',
    at: '#/paths/~1/get/responses/200/content/application~1json',
    breakIt: (d) => {
      const media = d.paths['/'].get.responses['200'].content['application/json'];
      media.example = media.examples.index.value;
      delete media.examples;
    },
  },
  { rule: 'rule/example-summary', at: '#/components/examples/TaskPending', breakIt: (d) => delete d.components.examples.TaskPending.summary },
  { rule: 'rule/parameter-example', at: '#/components/parameters/Limit', breakIt: (d) => delete d.components.parameters.Limit.example },
  { rule: 'rule/header-example', at: '#/components/headers/Link', breakIt: (d) => delete d.components.headers.Link.example },
  { rule: 'rule/operation-tagged', at: '#/paths/~1health/get/tags', breakIt: (d) => delete d.paths['/health'].get.tags },
  { rule: 'rule/operation-description-not-empty', at: '#/paths/~1ready/get/description', breakIt: (d) => (d.paths['/ready'].get.description = '') },
  { rule: 'rule/responses-everywhere', at: '#/paths/~1health/get/responses', breakIt: (d) => delete d.paths['/health'].get.responses['406'] },
  { rule: 'rule/responses-with-body', at: '#/paths/~1auth~1login/post/responses', breakIt: (d) => delete d.paths['/auth/login'].post.responses['415'] },
  {
    rule: 'rule/responses-without-body',
    at: '#/paths/~1tasks/get/responses/413',
    breakIt: (d) => (d.paths['/tasks'].get.responses['413'] = { $ref: '#/components/responses/PayloadTooLarge' }),
  },
  { rule: 'rule/responses-secured', at: '#/paths/~1auth~1me/get/responses', breakIt: (d) => delete d.paths['/auth/me'].get.responses['503'] },
  { rule: 'rule/responses-tasks', at: '#/paths/~1api~1tasks/get/responses', breakIt: (d) => delete d.paths['/api/tasks'].get.responses['403'] },
  {
    rule: 'rule/responses-task-by-id',
    at: '#/paths/~1tasks~1{task_id}/get/responses',
    breakIt: (d) => delete d.paths['/tasks/{task_id}'].get.responses['404'],
  },
  {
    rule: 'rule/responses-conditional-writes',
    at: '#/paths/~1tasks~1{task_id}~1toggle/patch/responses',
    breakIt: (d) => delete d.paths['/tasks/{task_id}/toggle'].patch.responses['412'],
  },
  {
    rule: 'rule/responses-throttled',
    at: '#/paths/~1api~1auth~1register/post/responses',
    breakIt: (d) => delete d.paths['/api/auth/register'].post.responses['429'],
  },
  {
    rule: 'rule/responses-not-throttled',
    at: '#/paths/~1tasks/post/responses/429',
    breakIt: (d) => (d.paths['/tasks'].post.responses['429'] = { $ref: '#/components/responses/TooManyRequests' }),
  },
  {
    rule: 'rule/responses-no-405',
    at: '#/paths/~1ready/get/responses/405',
    breakIt: (d) => (d.paths['/ready'].get.responses['405'] = { description: 'Not allowed', headers: requestIdOnly, content: problemJson }),
  },
  {
    rule: 'rule/errors-are-problem-json',
    at: '#/paths/~1auth~1me/delete/responses/401/content',
    breakIt: (d) =>
      (d.paths['/auth/me'].delete.responses['401'] = {
        description: 'No token',
        headers: { ...requestIdOnly, 'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' } },
        content: { 'application/json': problemJson['application/problem+json'] },
      }),
  },
  {
    rule: 'rule/errors-use-problem-schema',
    at: '#/paths/~1ready/get/responses/503/content/application~1problem+json/schema',
    breakIt: (d) =>
      (d.paths['/ready'].get.responses['503'] = {
        description: 'Down',
        headers: { ...requestIdOnly, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
        content: { 'application/problem+json': { schema: { type: 'object' }, examples: { e: { summary: 'e', value: {} } } } },
      }),
  },
  {
    rule: 'response-contains-header',
    at: '#/components/responses/TooManyRequests/headers',
    breakIt: (d) => delete d.components.responses.TooManyRequests.headers['Retry-After'],
  },
  {
    rule: 'request-mime-type',
    at: '#/components/requestBodies/Login/content/text~1plain',
    breakIt: (d) =>
      (d.components.requestBodies.Login.content['text/plain'] = { schema: { type: 'string' }, examples: { e: { summary: 'e', value: 'x' } } }),
  },
];

describe('the spec lint (redocly.yaml)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-lint-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds no error and no warning in openapi.yaml', () => {
    const { errors, warnings, problems } = lint(path.join(root, 'openapi.yaml'));
    expect(problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`)).toEqual([]);
    expect(errors + warnings).toBe(0);
  });

  describe('reports each convention where the contract breaks it', () => {
    let problems: Problem[];
    beforeAll(() => {
      const broken = contract();
      for (const { breakIt } of BREAKS) breakIt(broken);
      const file = path.join(dir, 'broken.yaml');
      fs.writeFileSync(file, yaml.dump(broken, { noRefs: true }));
      problems = lint(file).problems;
    });

    it.each(BREAKS.map((b) => [b.rule, b.at] as const))('%s reports at %s', (rule, at) => {
      const where = problems.filter((p) => p.ruleId === rule).map((p) => p.location[0]?.pointer);
      expect(where).toContain(at);
    });

    it('reports them as errors, never as warnings', () => {
      expect(problems.filter((p) => p.severity !== 'error')).toEqual([]);
    });
  });
});
