import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The human-facing docs: Swagger UI and the static Redoc build, both served without any CDN.

const root = path.join(__dirname, '../..');
let app: TestApp;

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'docs/index.html'))) {
    execFileSync('npm', ['run', '--silent', 'docs:build'], { cwd: root, stdio: 'ignore' });
  }
  app = await startTestApp();
});
afterAll(() => app.stop());

const externalUrls = (html: string) =>
  [...html.matchAll(/(?:src|href)\s*=\s*["'](https?:)?\/\/[^"']+["']/g)].map((m) => m[0]);

test('GET /docs is the Swagger UI page, loading only local assets', async () => {
  const res = await app.request('/docs');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await res.text();
  expect(html).toContain('id="swagger-ui"');
  expect(externalUrls(html)).toEqual([]);
  for (const asset of html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)) {
    const served = await app.request(asset[1]);
    expect({ asset: asset[1], status: served.status }).toEqual({ asset: asset[1], status: 200 });
    await served.arrayBuffer();
  }
});

test('the Swagger UI initializer loads the contract this instance serves', async () => {
  const res = await app.request('/docs/init.js');
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("url: '/openapi.json'");
});

test('an unknown docs asset is a 404 problem, never a file outside the allow-list', async () => {
  for (const asset of ['/docs/assets/package.json', '/docs/assets/..%2F..%2Fpackage.json', '/docs/assets/index.html']) {
    const res = await app.request(asset);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  }
});

test('GET /docs/redoc serves the static build, self-contained', async () => {
  const res = await app.request('/docs/redoc');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toContain('Task API');
  expect(html).not.toMatch(/<script[^>]+src=["']https?:\/\//);
});

test('API responses forbid framing and sniffing, and are never cached', async () => {
  const res = await app.request('/health');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(res.headers.get('cache-control')).toBe('no-store');
});
