// Strong entity tags derived from a task's version, and the If-Match test (RFC 9110 §13.1.1).

export const etagFor = (version: number) => `"${version}"`;

/** Whether an If-Match header value lets a write on a task at `version` go ahead. */
export function ifMatchAllows(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value === '*') return true;
  const current = etagFor(version);
  // A weak tag never matches under the strong comparison If-Match requires.
  return value.split(',').some((tag) => tag.trim() === current);
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
