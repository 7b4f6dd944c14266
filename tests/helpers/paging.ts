import type { Task } from '../../generated/types.gen';
import type { TestApp } from './test-app';

// Following a list's `Link: <…>; rel="next"` headers (RFC 8288) from page to page, as a client would.

/** The URL of an RFC 8288 `<…>; rel="next"` header, resolved against the request it answered. */
export function nextUrl(link: string, requestUrl: URL): URL {
  const match = /^\s*<([^>]*)>\s*((?:;\s*[^;]+)+)$/.exec(link);
  if (!match) throw new Error(`Link is not RFC 8288 shaped: ${link}`);
  const params = match[2].split(';').map((p) => p.trim()).filter(Boolean);
  if (!params.includes('rel="next"')) throw new Error(`Link has no rel="next": ${link}`);
  return new URL(match[1], requestUrl);
}

export interface Page {
  url: URL;
  tasks: Task[];
  link: string | null;
}

/**
 * Follows `Link: rel="next"` from `path` until a page has none. Every page must be a 200 with a
 * plain JSON array, and every next link must stay on this server, in the family `familyPath`
 * (the first page's path by default), with one cursor.
 */
export async function walkPages(app: TestApp, path: string, token: string, familyPath = new URL(path, 'http://x').pathname): Promise<Page[]> {
  const pages: Page[] = [];
  let url: URL | undefined = new URL(path, app.baseUrl);
  while (url) {
    const res = await app.request(url.pathname + url.search, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url.pathname}${url.search} answered ${res.status}: ${text.slice(0, 500)}`);
    const body: unknown = JSON.parse(text);
    if (!Array.isArray(body)) throw new Error(`${url.pathname}${url.search} did not answer an array`);
    const link = res.headers.get('link');
    pages.push({ url, tasks: body as Task[], link });
    if (link === null) break;
    const next = nextUrl(link, url);
    if (next.origin !== new URL(app.baseUrl).origin) throw new Error(`Link leaves the server: ${link}`);
    if (next.pathname !== familyPath) throw new Error(`Link leaves the family ${familyPath}: ${link}`);
    if (next.searchParams.getAll('cursor').length !== 1) throw new Error(`Link has no single cursor: ${link}`);
    url = next;
    if (pages.length > 1000) throw new Error('pagination never ends');
  }
  return pages;
}
