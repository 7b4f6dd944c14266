import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { document } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The docs as a reader meets them, in Debian's Chromium: the interactive reference at /docs lists
// every operation of the contract, and a reader registers, authorizes and creates a task from it;
// the static Redoc build at /docs/redoc renders. Neither page may fetch anything from another
// host or log an error. Screenshots go to tests/browser/artifacts/ (gitignored).
//
// The pages are opened under a non-loopback host name mapped to the test server, as a deployed
// instance would be seen: Swagger UI behaves differently on "localhost" and "127.0.0.1".

const root = path.join(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');
const HOST = 'docs.task-api.test'; // .test is reserved (RFC 2606): it can never name a real machine

const missing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`;
if (missing && process.env.REQUIRE_CHROMIUM) {
  throw new Error(`REQUIRE_CHROMIUM is set but there is ${missing}`);
}
if (missing) console.warn(`Skipping the docs browser test: ${missing}`);
const suite = missing ? describe.skip : describe;
jest.setTimeout(90_000); // a cold Chromium on a busy two-core machine; each wait below gives up sooner

/**
 * Console errors that come from this test's set-up, not from the pages: Chromium asks for
 * /favicon.ico by itself when a page declares no icon (Redoc's build does not), and it ignores the
 * Cross-Origin-Opener-Policy header (helmet's) on plain HTTP to a name other than localhost; a
 * deployment serves the docs over HTTPS.
 */
const expectedNoise = (text: string, url: string) =>
  url.endsWith('/favicon.ico') || text.startsWith('The Cross-Origin-Opener-Policy header has been ignored');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Every operation of openapi.yaml as "METHOD path", sorted. */
function contractOperations(): string[] {
  const spec = yaml.load(fs.readFileSync(path.join(root, 'openapi.yaml'), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(spec.paths)
    .flatMap(([p, item]) => Object.keys(item).filter((m) => HTTP_METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();
}

/** What one page did: every URL it requested, and every error it logged or threw. */
interface Recorded {
  page: Page;
  requests: string[];
  errors: string[];
}

suite(missing ? `the docs in a real browser (skipped: ${missing})` : 'the docs in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let origin: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(root, 'docs/index.html'))) {
      execFileSync('npm', ['run', '--silent', 'docs:build'], { cwd: root, stdio: 'ignore' });
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestApp();
    origin = `http://${HOST}:${new URL(app.baseUrl).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Waits give up well inside the test's own timeout, so a failure names the locator it waited for.
    context.setDefaultTimeout(20_000);
  });
  afterEach(() => context.close());

  async function open(pagePath: string): Promise<Recorded> {
    const page = await context.newPage();
    const recorded: Recorded = { page, requests: [], errors: [] };
    page.on('request', (req) => recorded.requests.push(req.url()));
    page.on('requestfailed', (req) => recorded.errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !expectedNoise(msg.text(), msg.location().url)) {
        recorded.errors.push(`console: ${msg.text()} (${msg.location().url})`);
      }
    });
    page.on('pageerror', (err) => recorded.errors.push(`page error: ${err.message}`));
    const res = await page.goto(`${origin}${pagePath}`);
    expect(res?.status()).toBe(200);
    return recorded;
  }

  /** Requests that left the test server (data: and blob: URLs stay in the page). */
  const foreign = (requests: string[]) =>
    requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));

  /** Waits until Swagger UI has rendered every operation of the contract. */
  async function swaggerRendered(page: Page, operations: number) {
    await page.getByRole('heading', { name: /Task API/ }).first().waitFor();
    await page.locator('.opblock').nth(operations - 1).waitFor();
  }

  test('/docs lists every operation of openapi.yaml, served by this instance alone', async () => {
    const expected = contractOperations();
    const { page, requests, errors } = await open('/docs');
    await swaggerRendered(page, expected.length);

    const listed = await page
      .locator('.opblock')
      .evaluateAll((blocks) =>
        blocks.map(
          (b) =>
            `${b.querySelector('.opblock-summary-method')?.textContent?.trim()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
        ),
      );
    expect(listed.sort()).toEqual(expected);

    // "Try it out" targets the server the page came from, not the contract's localhost:3000.
    const servers = await page.locator('.servers select option').allTextContents();
    expect(servers.map((s) => s.trim().split(' ')[0])).toEqual([origin]);

    expect({ foreign: foreign(requests), errors }).toEqual({ foreign: [], errors: [] });
  });

  test('a reader registers, authorizes with the token and creates a task from /docs, and sees 201', async () => {
    const { page, requests, errors } = await open('/docs');
    await swaggerRendered(page, contractOperations().length);

    // Register through the page's own "try it" on POST /auth/register.
    const email = 'reader@example.org';
    const register = page.locator('#operations-auth-register');
    await register.locator('.opblock-summary-control').click();
    await tryItOut(register);
    await register
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ email, password: 'correct horse battery staple' }));
    const [registered] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${origin}/auth/register` && r.request().method() === 'POST'),
      register.getByRole('button', { name: 'Execute' }).click(),
    ]);
    expect(registered.status()).toBe(201);
    await register.locator('.live-responses-table .response-col_status', { hasText: '201' }).waitFor();
    const { access_token: token, user } = (await registered.json()) as { access_token: string; user: { id: string } };

    // Authorize through the dialog.
    await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click();
    const dialog = page.locator('.modal-ux');
    await dialog.getByRole('heading', { name: 'Available authorizations' }).waitFor();
    await dialog.getByLabel('auth-bearer-value').fill(token);
    await dialog.getByRole('button', { name: 'Apply credentials' }).click();
    await dialog.getByRole('heading', { name: 'Authorized' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.auth-wrapper .authorize.locked').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png') });

    // Create a task from POST /tasks.
    const create = page.locator('#operations-tasks-createTask');
    await create.locator('.opblock-summary-control').click();
    await tryItOut(create);
    const title = 'Written from the docs page';
    await create
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ title, priority: 'high', due_date: '2026-12-15T17:00:00Z' }, null, 2));
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${origin}/tasks` && r.request().method() === 'POST'),
      create.getByRole('button', { name: 'Execute' }).click(),
    ]);
    expect(created.request().headers()['authorization']).toBe(`Bearer ${token}`);
    expect(created.status()).toBe(201);
    await create.locator('.live-responses-table .response-col_status', { hasText: '201' }).waitFor();
    await create.locator('.live-responses-table .response-col_description', { hasText: title }).waitFor();
    // The operation from its header down to the server's answer (its documented responses follow).
    const clip = await create.evaluate((block) => {
      const top = block.getBoundingClientRect();
      const end = block.querySelector('.live-responses-table')!.getBoundingClientRect();
      return { x: top.x + window.scrollX, y: top.y + window.scrollY, width: top.width, height: end.bottom - top.y };
    });
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs-create-task.png'), fullPage: true, clip });

    // The task really exists, and belongs to the account registered from the page.
    const list = await app.request('/tasks', { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([expect.objectContaining({ title, user_id: user.id, priority: 'high' })]);

    expect({ foreign: foreign(requests), errors }).toEqual({ foreign: [], errors: [] });
  });

  test('/docs/redoc renders the API title and its operations, served by this instance alone', async () => {
    const { page, requests, errors } = await open('/docs/redoc');
    await page.getByRole('heading', { name: `Task API (${document.info.version})` }).waitFor();

    // A reader opens "Create a task" from the sidebar.
    await page.getByText('tasks', { exact: true }).first().click();
    await page.getByText('Create a task', { exact: true }).first().click();
    await page.locator('h2').filter({ hasText: /^Create a task$/ }).waitFor();
    expect(new URL(page.url()).hash).toMatch(/createtask/i);
    await page.screenshot({ path: path.join(ARTIFACTS, 'redoc.png') });

    expect({ foreign: foreign(requests), errors }).toEqual({ foreign: [], errors: [] });
  });
});

/** Puts an expanded operation in "try it" mode: init.js enables it up front; older configs need the button. */
async function tryItOut(operation: Locator) {
  const button = operation.getByRole('button', { name: 'Try it out' });
  const execute = operation.getByRole('button', { name: 'Execute' });
  await button.or(execute).first().waitFor();
  if (await button.isVisible()) await button.click();
  await execute.waitFor();
}
