import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { readmeExample } from './readme-example';

// The SDK as another project gets it: `npm run sdk:pack` (build, then `npm pack`), the tarball
// installed offline (it has no dependencies) into a new project, once of "type": "module" and once
// of "type": "commonjs"; there, the README's example and consumer.ts compile under `tsc --strict`
// against the package's own declarations, and the example runs against a live service and prints
// what the README says it prints. (A child process, so its answers are not checked against the
// contract by contractFetch; the journey test does that for the same code in-process.)

const root = path.resolve(__dirname, '../..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

// npm and node as a person's shell would run them: none of the `npm test` run's npm_* settings.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

let app: TestApp;
let scratch: string;
let tarball: string;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'task-api-sdk-'));
  const [started, packed] = await Promise.all([startTestApp(), run('npm', ['run', '-s', 'sdk:pack'], { cwd: root, env })]);
  app = started;
  tarball = path.join(root, 'sdk', packed.stdout.trim().split('\n').pop()!);
}, 120_000);
afterAll(async () => {
  await app?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

test("npm run sdk:pack makes a tarball of the package, versioned as the contract's info.version", () => {
  const contract = yaml.load(fs.readFileSync(path.join(root, 'openapi.yaml'), 'utf8')) as { info: { version: string } };
  expect(path.basename(tarball)).toBe(`task-api-sdk-${contract.info.version}.tgz`);
  expect(fs.statSync(tarball).size).toBeGreaterThan(10_000);
});

/** Compiler settings of a new project: strict, checking the package's declarations too, no DOM. */
const compilerOptions = (moduleResolution: 'nodenext' | 'node10') => ({
  strict: true,
  target: 'ES2022',
  module: moduleResolution === 'nodenext' ? 'nodenext' : 'commonjs',
  moduleResolution,
  // A Node.js project's: no DOM library, so the package's types must stand on @types/node's fetch.
  lib: ['ES2023'],
  types: ['node'],
  typeRoots: [path.join(root, 'node_modules/@types')],
  skipLibCheck: false,
  esModuleInterop: true,
  rootDir: '.',
  outDir: 'out',
});

describe.each([
  { type: 'module', entry: 'esm' },
  { type: 'commonjs', entry: 'cjs' },
])('in a new project of "type": "$type"', ({ type, entry }) => {
  let project: string;
  const inProject = (command: string, args: string[], extraEnv: Record<string, string> = {}) =>
    run(command, args, { cwd: project, env: { ...env, ...extraEnv } });

  beforeAll(() => {
    project = path.join(scratch, type);
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: `sdk-consumer-${type}`, private: true, type }, null, 2));
  });

  test('the tarball installs offline and brings no other package', async () => {
    await inProject('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund']);
    expect(fs.readdirSync(path.join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@task-api']);
    const resolved = await inProject(process.execPath, [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', type === 'module' ? "console.log(import.meta.resolve('@task-api/sdk'))" : "console.log(require.resolve('@task-api/sdk'))"]);
    expect(resolved.stdout).toContain(`/node_modules/@task-api/sdk/dist/${entry}/`);
  });

  test("the README's example and consumer.ts compile under tsc --strict against the package's declarations", async () => {
    fs.writeFileSync(path.join(project, 'example.ts'), readmeExample(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).code);
    fs.copyFileSync(path.join(__dirname, 'consumer.ts'), path.join(project, 'consumer.ts'));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: compilerOptions('nodenext'), files: ['example.ts', 'consumer.ts'] }, null, 2));
    await inProject(process.execPath, [tsc, '-p', '.']).catch((error: { stdout: string }) => {
      throw new Error(`tsc failed:\n${error.stdout}`);
    });
    const compiled = fs.readFileSync(path.join(project, 'out/example.js'), 'utf8');
    expect(compiled).toContain(type === 'module' ? "from '@task-api/sdk'" : 'require("@task-api/sdk")');
  }, 60_000);

  if (type === 'commonjs') {
    test('consumer.ts compiles with the older node10 resolution too, which reads main and types instead of exports', async () => {
      // The declarations themselves were checked by the compile above; this is about finding them.
      const options = { ...compilerOptions('node10'), noEmit: true, skipLibCheck: true };
      fs.writeFileSync(path.join(project, 'tsconfig.node10.json'), JSON.stringify({ compilerOptions: options, files: ['consumer.ts'] }, null, 2));
      await inProject(process.execPath, [tsc, '-p', 'tsconfig.node10.json']).catch((error: { stdout: string }) => {
        throw new Error(`tsc failed:\n${error.stdout}`);
      });
    }, 60_000);
  }

  test("the README's example runs against the service and prints what the README says", async () => {
    const { stdout, stderr } = await inProject(process.execPath, ['out/example.js'], { TASK_API_URL: app.baseUrl });
    expect(stderr).toBe('');
    expect(stdout).toBe(readmeExample(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).output);
  }, 30_000);
});
