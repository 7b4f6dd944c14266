import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startContractProxy, type ContractProxy } from '../helpers/contract-proxy';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The README's curl walk-through, as a newcomer pastes it: the block between its markers, run by
// bash against a service (through a proxy that checks every answer against openapi.yaml), twice
// on the same data. Every step must succeed both times: register is the only one allowed to say
// 409 on the second run, and the token is taken from the login that follows it.

const run = promisify(execFile);
const README = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

/** The shell block between `<!-- walkthrough:begin … -->` and `<!-- walkthrough:end -->`. */
function walkthrough(): string {
  const block = /<!-- walkthrough:begin[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(README);
  if (!block) throw new Error('README.md has no walkthrough block between its markers');
  return block[1];
}

let app: TestApp;
let proxy: ContractProxy;
beforeAll(async () => {
  app = await startTestApp();
  proxy = await startContractProxy(app.baseUrl);
});
afterAll(async () => {
  await proxy?.close();
  await app?.stop();
});

/** The block with the README's localhost:3000 pointed at the proxy, run as a script that stops at the first failing command. */
async function runWalkthrough() {
  const script = walkthrough().replaceAll('localhost:3000', proxy.url.replace('http://', ''));
  return run('bash', ['-e', '-o', 'pipefail', '-c', script], { timeout: 60_000 });
}

test('the curl walk-through works as written, and again on the same data', async () => {
  const first = await runWalkthrough();
  expect(first.stdout).toMatch(/^register: 201$/m);
  expect(first.stdout).toMatch(/^delete: 204$/m);

  const second = await runWalkthrough();
  expect(second.stdout).toMatch(/^register: 409$/m);
  expect(second.stdout).toMatch(/"email":"alice@example.org"/);
  expect(second.stdout).toMatch(/^HTTP\/1\.1 200 OK/m);
  expect(second.stdout).toMatch(/"status":"completed"/);
  expect(second.stdout).toMatch(/^delete: 204$/m);
  expect(proxy.violations).toEqual([]);
});
