// The `Link` header (RFC 8288) as the paginator needs it: which URL a response names as `rel="next"`.
// Written for any well-formed header, not just the service's own (`</tasks?cursor=…>; rel="next"`):
// a URL or a quoted parameter may hold commas and semicolons, `rel` may list several relation types,
// and a relative URL means relative to the response that carried it.

/** One link of a `Link` header: its target as written, and its relation types, lower-cased. */
export interface Link {
  target: string;
  relations: string[];
}

/** The index of the next `delimiter` in `text` from `from` that is outside a quoted string, or text.length. */
function unquotedIndexOf(text: string, delimiter: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '\\') i++; // a quoted-pair: the next character is literal
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === delimiter) return i;
  }
  return text.length;
}

/** A parameter's value without its quotes and quoted-pair backslashes. */
function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) return trimmed;
  return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** The relation types of a link's `;`-separated parameters; only the first `rel` counts (RFC 8288 §3.3). */
function relationsOf(parameters: string): string[] {
  for (let start = 0; start < parameters.length; ) {
    const end = unquotedIndexOf(parameters, ';', start);
    const parameter = parameters.slice(start, end);
    const equals = parameter.indexOf('=');
    if (equals !== -1 && parameter.slice(0, equals).trim().toLowerCase() === 'rel') {
      return unquote(parameter.slice(equals + 1)).toLowerCase().split(/\s+/).filter(Boolean);
    }
    start = end + 1;
  }
  return [];
}

/** Every link of a `Link` header value, in order. Text that is not a link is skipped. */
export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = [];
  let at = 0;
  while (at < header.length) {
    const open = header.indexOf('<', at);
    if (open === -1) break;
    const close = header.indexOf('>', open + 1);
    if (close === -1) break;
    const end = unquotedIndexOf(header, ',', close + 1);
    links.push({ target: header.slice(open + 1, close).trim(), relations: relationsOf(header.slice(close + 1, end)) });
    at = end + 1;
  }
  return links;
}

/**
 * The URL of the next page named by a response's `Link` header, resolved against the URL of that
 * response (the target may be relative, as the service writes it, or absolute); undefined on the last page.
 */
export function nextPageUrl(linkHeader: string | null, responseUrl: string): URL | undefined {
  if (!linkHeader) return undefined;
  const next = parseLinkHeader(linkHeader).find((link) => link.relations.includes('next'));
  return next === undefined ? undefined : new URL(next.target, responseUrl);
}
