import yaml from 'js-yaml';
import * as sdk from '../../generated/sdk.gen';
import { loadContract } from '../../src/api/contract';
import { contractFetch } from '../helpers/contract';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { engineName } from '../helpers/engine';
import { rawExchange } from '../helpers/raw-http';
import fc from 'fast-check';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('meta operations', () => {
  test('GET /health answers ok without a token', async () => {
    const res = await sdk.getHealth({ client: app.anonymous() });
    expect(res.response?.status).toBe(200);
    expect(res.data).toEqual({ status: 'ok' });
  });

  test('GET /ready answers ok after a database round trip', async () => {
    const res = await sdk.getReady({ client: app.anonymous() });
    expect(res.response?.status).toBe(200);
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

  test.each(['/openapi.json', '/openapi.yaml'])('%s is cacheable by the client only: ETag, private Cache-Control, Vary, and 304 for a current copy', async (path) => {
    const first = await app.request(path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    // It names the Host the client sent: no shared cache may hand it to another client.
    expect(first.headers.get('cache-control')).toBe('private, max-age=300');
    expect(first.headers.get('vary')).toMatch(/\bHost\b/);
    await first.arrayBuffer();
    const again = await app.request(path, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    const stale = await app.request(path, { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);
  });

  test('GET / is a JSON index of where to go', async () => {
    const res = await sdk.getIndex({ client: app.anonymous() });
    expect(res.response?.status).toBe(200);
    expect(res.data).toMatchObject({ name: 'Task API', version: loadContract().document.info.version, links: { docs: '/docs', openapi_json: '/openapi.json' } });
  });
});

/** Host names and ports a client may send, and a few it should not. */
const hostHeader = fc.oneof(
  fc.tuple(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([host, port]) => (port ? `${host}:${port}` : host)),
  fc.ipV4().map((ip) => `${ip}:8080`),
  fc.constantFrom('evil.example"><script>alert(1)</script>', 'a b', 'user@evil.example', '[::1]:3000', 'x'.repeat(300), ''),
);

async function servedFor(target: TestApp, path: string, headers: string[]) {
  const answer = await rawExchange(Number(new URL(target.baseUrl).port), [`GET ${path} HTTP/1.1`, ...headers].join('\r\n'));
  return { ...answer, document: answer.status === 200 && path.endsWith('.json') ? JSON.parse(answer.body) : undefined };
}

describe('the served contract and the Host header', () => {
  test(
    'without PUBLIC_URL, any Host (or X-Forwarded-Host behind a proxy) is named for that client only, never a 500',
    async () => {
      const proxied = await startTestApp({ TRUST_PROXY: 'true' });
      try {
        await fc.assert(
          fc.asyncProperty(hostHeader, fc.boolean(), async (host, forwarded) => {
            const headers = forwarded ? ['Host: 127.0.0.1', `X-Forwarded-Host: ${host}`] : [`Host: ${host}`];
            const sent = await servedFor(proxied, '/openapi.json', headers);
            expect(sent.status).toBeLessThan(500);
            if (sent.status !== 200) return;
            expect(sent.headers['cache-control']).toBe('private, max-age=300');
            expect(sent.headers.vary).toMatch(/\bHost\b/);
            expect(sent.headers.vary).toMatch(/\bX-Forwarded-Host\b/);
          }),
          params({ numRuns: Math.max(60, params().numRuns!) }),
        );
      } finally {
        await proxied.stop();
      }
    },
    propertyTimeout(),
  );

  test(
    'with PUBLIC_URL, every copy names it, whatever Host or X-Forwarded-Host says, and is shareable',
    async () => {
      const published = await startTestApp({ PUBLIC_URL: 'https://tasks.example.org/v1/', TRUST_PROXY: 'true' });
      try {
        await fc.assert(
          fc.asyncProperty(hostHeader, async (host) => {
            for (const path of ['/openapi.json', '/openapi.yaml']) {
              const sent = await servedFor(published, path, [`Host: ${host || 'x'}`, `X-Forwarded-Host: ${host}`, 'X-Forwarded-Proto: gopher']);
              expect(sent.status).toBe(200);
              expect(sent.headers['cache-control']).toBe('public, max-age=300');
              const document = path.endsWith('.json') ? sent.document : yaml.load(sent.body);
              expect(document.servers).toEqual([{ url: 'https://tasks.example.org/v1', description: 'This instance' }]);
            }
          }),
          params({ numRuns: Math.max(40, params().numRuns!) }),
        );
      } finally {
        await published.stop();
      }
    },
    propertyTimeout(),
  );
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
    expect(after.response?.status).toBe(200);
    const byId = new Map(after.data!.map((t) => [t.id, t]));
    expect(byId.get(patched.id)).toEqual(patched);
    for (const task of created.slice(1)) expect(byId.get(task.id)).toEqual(task);
  });
});
