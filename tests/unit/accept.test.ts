import fc from 'fast-check';
import { acceptsAny, parseAccept, weightOf } from '../../src/http/accept';

const JSON_ONLY = ['application/json'];

/** A media range written the many ways clients write it: any case, spaces, parameters, a q. */
function written(range: string, q?: string): fc.Arbitrary<string> {
  return fc
    .record({
      upper: fc.array(fc.boolean(), { minLength: range.length, maxLength: range.length }),
      space: fc.constantFrom('', ' ', '  ', '\t'),
      parameters: fc.subarray(['charset=utf-8', 'charset="UTF-8"', 'version=2', 'profile="https://example.org/p"', 'level=1']),
    })
    .map(({ upper, space, parameters }) => {
      const cased = [...range].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      const all = q === undefined ? parameters : [...parameters, `q=${q}`];
      return [cased, ...all].join(`${space};${space}`);
    });
}

describe('acceptsAny', () => {
  test.each([
    [undefined, true],
    ['', true],
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['APPLICATION/JSON;CHARSET=UTF-8', true],
    ['application/*', true],
    ['*/*', true],
    ['text/html, */*;q=0.1', true],
    ['text/html', false],
    ['application/xml', false],
    ['application/json;q=0', false],
    ['application/json;q=0, */*', false],
    ['*/*;q=0', false],
    ['application/*;q=0, application/json;q=0.5', true],
    ['application/problem+json', false],
    ['garbage', true],
    ['*/json', true],
    ['application/json;q=2', true],
  ])('Accept %p for JSON: %p', (header, expected) => {
    expect(acceptsAny(header, JSON_ONLY)).toBe(expected);
  });

  test('any spelling of a JSON range (case, white space, parameters, a positive q) accepts JSON', () => {
    const q = fc.constantFrom(undefined, '1', '1.0', '0.5', '0.001', '1.000');
    const header = fc
      .tuple(fc.constantFrom('application/json', 'application/*', '*/*'), q)
      .chain(([range, weight]) => written(range, weight))
      .chain((json) =>
        fc.tuple(fc.array(written('text/html'), { maxLength: 2 }), fc.nat()).map(([others, at]) => {
          const all = [...others];
          all.splice(at % (others.length + 1), 0, json);
          return all.join(', ');
        }),
      );
    fc.assert(fc.property(header, (h) => acceptsAny(h, JSON_ONLY)));
  });

  test('a JSON range with q=0 refuses JSON whatever else it says', () => {
    const header = fc.constantFrom('0', '0.0', '0.000').chain((zero) => written('application/json', zero));
    fc.assert(fc.property(header, (h) => !acceptsAny(h, JSON_ONLY) && acceptsAny(`${h}, text/html`, ['text/html'])));
  });

  test('never throws, whatever the header', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (h) => typeof acceptsAny(h, JSON_ONLY) === 'boolean'));
  });
});

describe('weightOf', () => {
  test('the most specific range decides, not the first or the highest', () => {
    const ranges = parseAccept('*/*;q=0.9, application/*;q=0.2, application/json;q=0.7');
    expect(weightOf(ranges, 'application/json')).toBe(0.7);
    expect(weightOf(ranges, 'application/yaml')).toBe(0.2);
    expect(weightOf(ranges, 'text/html')).toBe(0.9);
  });
});
