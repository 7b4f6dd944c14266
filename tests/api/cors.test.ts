import { startTestApp, type TestApp } from '../helpers/test-app';

const ORIGIN = 'https://app.example.org';
const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, if-match' },
});

describe('with CORS_ORIGINS set', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: `${ORIGIN}, https://other.example.org` });
  });
  afterAll(() => app.stop());

  test('a preflight from a listed origin is allowed', async () => {
    const res = await app.request('/tasks/7d444840-9dc0-11d1-b245-5ffdce74fad2', preflight(ORIGIN));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-match');
  });

  test('responses to a listed origin expose the headers clients need', async () => {
    const res = await app.request('/health', { headers: { origin: ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
  });

  test('an origin not listed gets no CORS headers', async () => {
    const res = await app.request('/health', { headers: { origin: 'https://evil.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await app.request('/tasks', preflight('https://evil.example.com'));
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.status).toBe(405);
  });
});

describe('without CORS_ORIGINS', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  test('no origin gets CORS headers', async () => {
    const res = await app.request('/health', { headers: { origin: ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
