// npm run build: the compiled service (dist/) and the static Redoc page (docs/index.html).
// With --if-stale (the first half of `npm start`) only what is out of date: the service when a file
// it is compiled from changed, the page when the contract or its settings did; each remembers the
// digest of what it was built from, so an unchanged checkout starts at once.
//
// On a Node.js older than package.json's engines, the compiled check (src/supported-node.ts) says
// so in one line before anything else runs.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

/** Every file below `entry` (or `entry` itself), relative to the root, sorted. */
function files(entry) {
  if (!fs.existsSync(entry)) return [];
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry, { withFileTypes: true })
    .flatMap((e) => files(path.join(entry, e.name)))
    .sort();
}

/** The digest of the names and contents of `entries`. */
function digest(entries) {
  const hash = createHash('sha256');
  for (const file of entries.flatMap(files)) hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const ifStale = process.argv.includes('--if-stale');
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' });

const parts = [
  {
    what: 'the service (dist/)',
    stamp: 'dist/.built-from',
    inputs: ['src', 'migrations', 'generated', 'scripts', 'knexfile.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    build() {
      run('npx', ['tsc', '-p', 'tsconfig.build.json']);
      run(process.execPath, ['scripts/copy-assets.mjs']);
    },
  },
  {
    what: 'the static reference (docs/index.html)',
    stamp: 'docs/.built-from',
    inputs: ['openapi.yaml', 'redocly.yaml', 'scripts/build-docs.mjs', 'package-lock.json'],
    build() {
      run(process.execPath, ['scripts/build-docs.mjs']);
    },
  },
];

for (const [index, part] of parts.entries()) {
  const wanted = digest(part.inputs);
  const built = fs.existsSync(part.stamp) ? fs.readFileSync(part.stamp, 'utf8').trim() : undefined;
  if (!ifStale || built !== wanted) {
    const started = performance.now();
    if (ifStale) process.stderr.write(`building ${part.what}: ${built ? 'its sources changed' : 'not built yet'}…\n`);
    fs.rmSync(part.stamp, { force: true });
    part.build();
    fs.writeFileSync(part.stamp, `${wanted}\n`);
    if (ifStale) process.stderr.write(`built ${part.what} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  // Once the service is compiled, and before the docs build (whose tools have their own ideas
  // about old runtimes), a Node.js below the engines gets its one line.
  if (index === 0) await import(pathToFileURL(path.join(root, 'dist/src/supported-node.js')).href);
}
