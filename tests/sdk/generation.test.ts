import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// generated/ is reproducible: `npm run generate` (openapi-ts with openapi-ts.config.ts) run twice
// on openapi.yaml, each time in a clean directory, writes byte-identical files, and those are the
// files committed in generated/. (CI's `npm run generate:check` catches the same drift with git.)

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

async function generateInto(dir: string): Promise<Map<string, string>> {
  fs.copyFileSync(path.join(root, 'openapi.yaml'), path.join(dir, 'openapi.yaml'));
  fs.copyFileSync(path.join(root, 'openapi-ts.config.ts'), path.join(dir, 'openapi-ts.config.ts'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await run(process.execPath, [path.join(root, 'node_modules/@hey-api/openapi-ts/bin/run.js')], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });
  return filesUnder(path.join(dir, 'generated'));
}

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'task-api-generate-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('generating twice from openapi.yaml gives byte-identical files, equal to the committed generated/', async () => {
  const first = await generateInto(fs.mkdtempSync(path.join(scratch, 'a-')));
  const second = await generateInto(fs.mkdtempSync(path.join(scratch, 'b-')));
  expect(first.size).toBeGreaterThan(5);
  expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
  for (const [file, text] of first) expect({ file, same: second.get(file) === text }).toEqual({ file, same: true });

  const committed = filesUnder(path.join(root, 'generated'));
  expect([...committed.keys()].sort()).toEqual([...first.keys()].sort());
  for (const [file, text] of first) expect({ file, upToDate: committed.get(file) === text }).toEqual({ file, upToDate: true });
}, 120_000);
