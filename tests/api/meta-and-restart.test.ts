import yaml from 'js-yaml';
import * as sdk from '../../generated/sdk.gen';
import { loadContract } from '../../src/spec';
import { contractFetch } from '../helpers/contract';
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

  const asServedBy = (baseUrl: string) => ({ ...loadContract().document, servers: [{ url: baseUrl, description: 'This instance' }] });

  test('GET /openapi.json serves the contract, naming this instance in servers', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(asServedBy(app.baseUrl));
  });

  test('GET /openapi.yaml serves the contract as application/yaml', async () => {
    const res = await app.request('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(yaml.load(await res.text())).toEqual(asServedBy(app.baseUrl));
  });

  test('the served contract follows the host name the client used', async () => {
    const viaLocalhost = app.baseUrl.replace('127.0.0.1', 'localhost');
    const res = await contractFetch(`${viaLocalhost}/openapi.json`);
    expect((await res.json()).servers).toEqual([{ url: viaLocalhost, description: 'This instance' }]);
  });

  test.each(['/openapi.json', '/openapi.yaml'])('%s is cacheable: ETag, Cache-Control, and 304 for a current copy', async (path) => {
    const first = await app.request(path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    await first.arrayBuffer();
    const again = await app.request(path, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    const stale = await app.request(path, { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);
  });

  test('GET / is a JSON index of where to go', async () => {
    const res = await sdk.getIndex({ client: app.anonymous() });
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({ name: 'Task API', version: loadContract().document.info.version, links: { docs: '/docs', openapi_json: '/openapi.json' } });
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
