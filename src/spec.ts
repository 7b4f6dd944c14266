import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { OpenAPIV3 } from 'openapi-types';

// The contract, read once at start-up from the repository root (found from here, so the same
// code works from src/ under ts and from dist/src/ compiled).

function findUp(file: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${file} not found above ${from}`);
  }
}

export interface Contract {
  /** The document as written (not dereferenced): what /openapi.json and /openapi.yaml serve. */
  document: OpenAPIV3.Document;
  yaml: string;
  path: string;
}

export function loadContract(): Contract {
  const file = findUp('openapi.yaml', __dirname);
  const text = fs.readFileSync(file, 'utf8');
  return { document: yaml.load(text) as OpenAPIV3.Document, yaml: text, path: file };
}
