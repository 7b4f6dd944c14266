// Content negotiation on Accept (RFC 9110 §12.5.1), for the one question the service asks: may it
// answer with any of the media types an operation produces? Media-type parameters other than `q`
// and the case of types never decide it (`application/json; charset=utf-8` accepts JSON).

/** One media range: type and subtype lower-cased (`*` for wildcards), its weight. */
export interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** The well-formed ranges of an Accept header; malformed entries are left out. */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const entry of header.split(',')) {
    const [range, ...parameters] = entry.split(';');
    const slash = range.indexOf('/');
    const type = range.slice(0, slash).trim().toLowerCase();
    const subtype = range.slice(slash + 1).trim().toLowerCase();
    if (slash < 0 || !TOKEN.test(type) || !TOKEN.test(subtype) || (type === '*' && subtype !== '*')) continue;
    let q = 1;
    let valid = true;
    for (const parameter of parameters) {
      const at = parameter.indexOf('=');
      if (parameter.slice(0, at).trim().toLowerCase() !== 'q') continue;
      const value = parameter.slice(at + 1).trim();
      valid = QVALUE.test(value);
      q = Number(value);
    }
    if (valid) ranges.push({ type, subtype, q });
  }
  return ranges;
}

/** How specifically `range` names `type/subtype`: 2 exactly, 1 by `type/*`, 0 by `*\/*`, -1 not at all. */
function specificity(range: MediaRange, type: string, subtype: string): number {
  if (range.type === '*') return 0;
  if (range.type !== type) return -1;
  if (range.subtype === '*') return 1;
  return range.subtype === subtype ? 2 : -1;
}

/** The weight the client gives `mediaType`: that of the most specific range naming it (0 when none does). */
export function weightOf(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype = ''] = mediaType.toLowerCase().split('/');
  let best = -1;
  let q = 0;
  for (const range of ranges) {
    const s = specificity(range, type, subtype);
    if (s > best) [best, q] = [s, range.q];
    else if (s === best && s >= 0) q = Math.max(q, range.q);
  }
  return q;
}

/**
 * Whether a client sending `header` accepts one of `produced`. No header, or one without a single
 * well-formed range, accepts anything (RFC 9110 lets a server disregard a malformed Accept).
 */
export function acceptsAny(header: string | undefined, produced: readonly string[]): boolean {
  if (header === undefined || header.trim() === '') return true;
  const ranges = parseAccept(header);
  if (ranges.length === 0) return true;
  return produced.some((mediaType) => weightOf(ranges, mediaType) > 0);
}
