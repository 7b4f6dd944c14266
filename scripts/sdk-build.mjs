// npm run sdk:build: the SDK package in sdk/dist, ready for `npm pack ./sdk` (npm run sdk:pack).
// Two compilations of the same sources (sdk/src and the generated/ it wraps): ES modules for
// `import`, CommonJS for `require`, each with its declarations, each folder marked with the module
// type its .js files are, since the package's own package.json can name only one.
//
// The package's version is the contract's: a contract change that moves info.version stops here
// until sdk/package.json says the same, so a package never claims a contract it was not built from.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const manifest = JSON.parse(fs.readFileSync('sdk/package.json', 'utf8'));
const contractVersion = yaml.load(fs.readFileSync('openapi.yaml', 'utf8')).info.version;
if (manifest.version !== contractVersion) {
  console.error(`sdk/package.json has version ${manifest.version}, openapi.yaml's info.version is ${contractVersion}: set the package's to the contract's`);
  process.exit(1);
}

fs.rmSync('sdk/dist', { recursive: true, force: true });
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
for (const [format, type] of [['esm', 'module'], ['cjs', 'commonjs']]) {
  execFileSync(process.execPath, [tsc, '-p', `sdk/tsconfig.${format}.json`], { stdio: 'inherit' });
  fs.writeFileSync(`sdk/dist/${format}/package.json`, `${JSON.stringify({ type })}\n`);
}
console.log(`built ${manifest.name} ${manifest.version} in sdk/dist (ES modules and CommonJS, with declarations)`);
