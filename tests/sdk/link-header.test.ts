import { nextPageUrl, parseLinkHeader } from '../../sdk/src/link-header';

// The paginator's reading of `Link` (RFC 8288): which link is the next page, and where it points.

describe('parseLinkHeader', () => {
  test('reads each link of a comma-separated header with its relation types', () => {
    expect(parseLinkHeader('</tasks?cursor=p>; rel="prev", </tasks?cursor=n>; rel="next"')).toEqual([
      { target: '/tasks?cursor=p', relations: ['prev'] },
      { target: '/tasks?cursor=n', relations: ['next'] },
    ]);
  });

  test('keeps commas and semicolons inside a URL or a quoted parameter', () => {
    expect(parseLinkHeader('</tasks?a=1,2;b>; title="one, two; three"; rel=next, </x>; rel=last')).toEqual([
      { target: '/tasks?a=1,2;b', relations: ['next'] },
      { target: '/x', relations: ['last'] },
    ]);
  });

  test('splits a rel listing several types, matches them case-insensitively, and honours only the first rel', () => {
    expect(parseLinkHeader('</a>; REL="Next Last"; rel=prev')).toEqual([{ target: '/a', relations: ['next', 'last'] }]);
  });

  test('unescapes quoted-pairs in a quoted value', () => {
    expect(parseLinkHeader('</a>; title="say \\"next\\""; rel="next"')).toEqual([{ target: '/a', relations: ['next'] }]);
  });

  test('skips what is not a link and stops at an unterminated one', () => {
    expect(parseLinkHeader('garbage, </a>; rel=next, <unterminated; rel=next')).toEqual([{ target: '/a', relations: ['next'] }]);
    expect(parseLinkHeader('')).toEqual([]);
  });

  test('a link without rel has no relation types', () => {
    expect(parseLinkHeader('</a>; title="next"')).toEqual([{ target: '/a', relations: [] }]);
  });
});

describe('nextPageUrl', () => {
  const response = 'http://127.0.0.1:3000/api/tasks?limit=2';

  test('resolves a relative next link against the URL of the response that carried it', () => {
    expect(nextPageUrl('</api/tasks?cursor=abc&limit=2>; rel="next"', response)?.href).toBe('http://127.0.0.1:3000/api/tasks?cursor=abc&limit=2');
    expect(nextPageUrl('<?cursor=abc>; rel="next"', response)?.href).toBe('http://127.0.0.1:3000/api/tasks?cursor=abc');
    expect(nextPageUrl('<tasks?cursor=abc>; rel="next"', response)?.href).toBe('http://127.0.0.1:3000/api/tasks?cursor=abc');
  });

  test('takes an absolute next link as it is, on whatever origin', () => {
    expect(nextPageUrl('<https://tasks.example.org/tasks?cursor=abc>; rel="next"', response)?.href).toBe('https://tasks.example.org/tasks?cursor=abc');
  });

  test('keeps percent-escapes of the link as the service wrote them', () => {
    expect(nextPageUrl('</api/auth%7C42/tasks?cursor=a%2Bb>; rel="next"', response)?.href).toBe('http://127.0.0.1:3000/api/auth%7C42/tasks?cursor=a%2Bb');
  });

  test('is undefined on the last page: no header, or no next among the links', () => {
    expect(nextPageUrl(null, response)).toBeUndefined();
    expect(nextPageUrl('', response)).toBeUndefined();
    expect(nextPageUrl('</tasks?cursor=p>; rel="prev"', response)).toBeUndefined();
  });

  test('picks the next link among others', () => {
    expect(nextPageUrl('</first>; rel=first, </n>; rel="next", </last>; rel=last', response)?.pathname).toBe('/n');
  });
});
