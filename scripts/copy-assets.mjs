// Part of `npm run build`: the files the compiled service reads that tsc does not emit (the
// interactive docs page and its script) go beside the compiled code, so dist/ runs on its own.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
fs.cpSync(path.join(root, 'src/docs'), path.join(root, 'dist/src/docs'), { recursive: true });
