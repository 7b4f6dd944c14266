import yaml from 'js-yaml';
import * as sdk from '../../generated/sdk.gen';
import { loadContract } from '../../src/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { engineName } from '../helpers/engine';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('meta operations', () => {
  test('GET /health answers ok without a token', async () => {
    const res = await sdk.getHealth({ client: app.anonymous() });
    expect(res.response.status).toBe(200);
    expect(res.data).toEqual({ status: 'ok' });
  });

  test('GET /ready answers ok after a database round trip', async () => {
    const res = await sdk.getReady({ client: app.anonymous() });
    expect(res.response.status).toBe(200);
    expect(res.data).toEqual({ status: 'ok' });
  });

  test('GET /openapi.json serves the contract', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(loadContract().document);
  });

  test('GET /openapi.yaml serves the contract as application/yaml', async () => {
    const res = await app.request('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(yaml.load(await res.text())).toEqual(loadContract().document);
  });
});

describe(`durability on ${engineName}`, () => {
  test('tasks survive a restart of the service', async () => {
    const alice = await app.clientFor('alice');
    const created = await Promise.all(
      ['one', 'two', 'three'].map(async (title) => (await sdk.createTask({ client: alice, body: { title } })).data!),
    );
    const patched = (await sdk.completeTask({ client: alice, path: { task_id: created[0].id } })).data!;

    await app.restart();

    const after = await sdk.listTasks({ client: alice, query: { sort: 'created_at' } });
    expect(after.response.status).toBe(200);
    const byId = new Map(after.data!.map((t) => [t.id, t]));
    expect(byId.get(patched.id)).toEqual(patched);
    for (const task of created.slice(1)) expect(byId.get(task.id)).toEqual(task);
  });
});
