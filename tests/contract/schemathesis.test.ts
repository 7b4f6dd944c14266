import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { seed } from '../../scripts/contract-seed';
import { document, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// tests/contract/schemathesis.toml in step with what it names: the variables contract:seed
// prints, operations, parameters and statuses of openapi.yaml; and the seed itself, run against
// a real service, gives Schemathesis an account that works. (Schemathesis itself is a Python tool
// this machine cannot install; its config schema was checked by hand for 4.0 to 4.25.)

type Config = {
  headers?: Record<string, string>;
  parameters?: Record<string, string>;
  checks?: Record<string, { 'expected-statuses'?: (number | string)[] }>;
  operations?: { 'include-operation-id'?: string[]; checks?: Config['checks'] }[];
};

const file = path.join(__dirname, 'schemathesis.toml');
const config = parse(fs.readFileSync(file, 'utf8')) as Config;
const variables = [...fs.readFileSync(file, 'utf8').matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ REGISTER_RATE_LIMIT: '0' });
});
afterAll(() => app.stop());

test('every variable it reads is one contract:seed prints, and the seeded account works', async () => {
  const seeded = await seed(app.baseUrl);
  expect(Object.keys(seeded)).toEqual(expect.arrayContaining([...new Set(variables)]));

  const auth = { authorization: config.headers!.Authorization.replace('${SCHEMATHESIS_TOKEN}', seeded.SCHEMATHESIS_TOKEN) };
  const me = await app.request('/auth/me', { headers: auth });
  expect(me.status).toBe(200);
  expect((await me.json()).id).toBe(seeded.USER_ID);
  const task = await app.request(`/api/${encodeURIComponent(seeded.USER_ID)}/tasks/${seeded.TASK_ID}?user_id=${encodeURIComponent(seeded.USER_ID)}`, { headers: auth });
  expect(task.status).toBe(200);
});

test('the parameters it fixes exist in the contract', () => {
  for (const name of Object.keys(config.parameters ?? {})) {
    const [where, parameter] = name.split('.');
    expect({ name, found: operations.some((op) => op.parameters.some((p) => p.in === where && p.name === parameter)) }).toEqual({ name, found: true });
  }
});

test('the operations it names exist, and every status it expects is one the contract declares', () => {
  const declared = new Set(operations.flatMap((op) => Object.keys(op.responses)));
  const statuses = [
    ...Object.values(config.checks ?? {}),
    ...(config.operations ?? []).flatMap((o) => Object.values(o.checks ?? {})),
  ].flatMap((check) => check['expected-statuses'] ?? []);
  for (const status of statuses) {
    const pattern = new RegExp(`^${String(status).replace(/X/g, '\\d')}$`);
    expect({ status, declared: [...declared].some((s) => pattern.test(s)) }).toEqual({ status, declared: true });
  }
  for (const id of (config.operations ?? []).flatMap((o) => o['include-operation-id'] ?? [])) {
    expect(operations.map((op) => op.operationId)).toContain(id);
  }
  expect(document.components?.securitySchemes?.bearerAuth).toBeDefined();
});
