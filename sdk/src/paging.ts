// Following a list's pages. The service answers one page and, when more follow, the next page's URL
// in `Link: <…>; rel="next"`, which carries the cursor, page size, sort and filters. The first page
// comes from the list operation itself, so its options are typed; each next one is a GET of that URL
// through the same client (same token, interceptors and fetch).

import type { Client } from '../../generated/client/index.js';
import { nextPageUrl } from './link-header.js';

/** One page of a list. */
export interface Page<TItem> {
  items: TItem[];
  /** The answer the page came in (its headers, its URL). */
  response: Response;
  /** The next page's URL, or undefined on the last page. */
  next: URL | undefined;
}

/** Any generated operation answering an array: listTasks, listTasksApi, listTasksForUser. */
export type ListOperation = (options: never) => Promise<{ data?: readonly unknown[] }>;

/** What a list operation's pages hold: Task for all of the contract's. */
export type ItemOf<TList extends ListOperation> = NonNullable<Awaited<ReturnType<TList>>['data']>[number];

/** A list operation's options, with the client required: the next pages go through it too. */
export type ListOptions<TList extends ListOperation> = Parameters<TList>[0] & { client: Client };

/** A list operation called so that it throws: a page comes, or the iteration stops with the error. */
type ThrowingListCall<TItem> = (options: object) => Promise<{ data: TItem[]; request: Request; response: Response }>;

// Every list operation of the contract takes the bearer token (openapi.yaml: `security: bearerAuth`).
const BEARER = [{ scheme: 'bearer', type: 'http' }] as const;

/**
 * The pages of `list` called with `options`, first to last, each fetched when the previous one has
 * been consumed. Stopping the loop early fetches no more. A failed page throws (a TaskApiError with
 * this package's client), whatever the client's `throwOnError`.
 */
export async function* pagesOf<TList extends ListOperation>(list: TList, options: ListOptions<TList>): AsyncGenerator<Page<ItemOf<TList>>, void, undefined> {
  type Item = ItemOf<TList>;
  // The first call's query and path are in the next page's URL; its other options (headers, signal,
  // fetch) hold for every page. Always `fields`: the pages need the response, not only the data.
  const first = options as { client: Client; query?: unknown; path?: unknown };
  const { client, query: _query, path: _path, ...perCall } = first;
  const fields = { throwOnError: true, responseStyle: 'fields' } as const;
  let { data, request, response } = await (list as unknown as ThrowingListCall<Item>)({ ...first, ...fields });
  for (;;) {
    const next = nextPageUrl(response.headers.get('link'), response.url || request.url);
    yield { items: data, response, next };
    if (!next) return;
    ({ data, request, response } = await client.get<{ 200: Item[] }, unknown, true>({
      ...perCall,
      ...fields,
      // hey-api joins baseUrl and url as strings, so an absolute URL is split between the two.
      baseUrl: next.origin,
      url: `${next.pathname}${next.search}`,
      security: BEARER,
    }));
  }
}

/** Every item of `list` called with `options`, across all its pages, in order (see pagesOf). */
export async function* itemsOf<TList extends ListOperation>(list: TList, options: ListOptions<TList>): AsyncGenerator<ItemOf<TList>, void, undefined> {
  for await (const page of pagesOf(list, options)) yield* page.items;
}
