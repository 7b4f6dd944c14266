import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { OpenAPIV3 } from 'openapi-types';
import { PROJECT_ROOT } from '../core/project-root';

// The contract, read once at start-up from the repository root (found from here, so the same
// code works from src/ under ts and from dist/src/ compiled).

/** The nearest `file` in `from` or a folder above it. */
export interface Contract {
  /** The document as written (not dereferenced): what /openapi.json and /openapi.yaml serve. */
  document: OpenAPIV3.Document;
  yaml: string;
  path: string;
}

export function loadContract(): Contract {
  const file = path.join(PROJECT_ROOT, 'openapi.yaml');
  const text = fs.readFileSync(file, 'utf8');
  return { document: yaml.load(text) as OpenAPIV3.Document, yaml: text, path: file };
}

export interface ServedDocument {
  json: string;
  yaml: string;
  /** Strong tag of this rendering (JSON and YAML differ, so each has its own). */
  etags: { json: string; yaml: string };
}

const tag = (text: string) => `"${crypto.createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;

/**
 * The contract as one instance serves it: `servers` names that instance (the origin the client
 * reached), so "try it" in any docs tool talks to the server the document came from.
 * Renderings are cached per origin (a handful at most: one per name the instance is known by).
 */
export function documentServer(contract: Contract) {
  const cache = new Map<string, ServedDocument>();
  return (origin: string): ServedDocument => {
    let served = cache.get(origin);
    if (!served) {
      const document = { ...contract.document, servers: [{ url: origin, description: 'This instance' }] };
      const json = JSON.stringify(document);
      const yamlText = yaml.dump(document, { lineWidth: 120, noRefs: true });
      served = { json, yaml: yamlText, etags: { json: tag(json), yaml: tag(yamlText) } };
      if (cache.size >= 16) cache.delete(cache.keys().next().value!);
      cache.set(origin, served);
    }
    return served;
  };
}
