// Strong entity tags derived from a task's version, and the If-Match test (RFC 9110 §13.1.1).

export const etagFor = (version: number) => `"${version}"`;

/**
 * The versions an If-Match header allows, for a conditional write in one statement: undefined
 * when any version will do (no header, or `*`), else the versions its strong tags name (maybe
 * none, when every tag is weak or not one of ours).
 */
export function ifMatchVersions(header: string | undefined): number[] | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',')) {
    const version = /^"(\d{1,9})"$/.exec(tag.trim())?.[1];
    if (version !== undefined) versions.push(Number(version));
  }
  return versions;
}

/**
 * Whether If-None-Match names the current representation (RFC 9110 §13.1.2: weak comparison).
 * Evaluated by the origin whatever the request's Cache-Control says (fetch adds `no-cache`).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => opaque(tag) === opaque(etag));
}
