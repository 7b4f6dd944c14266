import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './core/project-root';

// The first import of every entry point (the service, `npm run migrate`, `npm run dev:token`): on
// a Node.js older than package.json's `engines`, one line saying what to install, and exit 1,
// rather than whatever a dependency happens to throw first.

/** Whether `version` (`22.19.0`) satisfies `range`, which is `>=MAJOR[.MINOR[.PATCH]]`. */
export function satisfiesMinimum(version: string, range: string): boolean {
  const minimum = /^\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range);
  if (!minimum) throw new Error(`engines.node must be ">=MAJOR[.MINOR[.PATCH]]", got "${range}"`);
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = minimum.slice(1).map((part) => Number(part ?? 0));
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
  }
  return true;
}

const range = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
if (range && !satisfiesMinimum(process.versions.node, range)) {
  process.stderr.write(`task-api needs Node.js ${range} (a maintained LTS: 24, or 22); this is ${process.version}. See .nvmrc.\n`);
  process.exit(1);
}
