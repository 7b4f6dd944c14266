import { requestIdFrom } from '../../src/http/request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  test.each([
    ['a UUID', '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f'],
    ['letters, digits, dots, dashes and underscores', 'Trace_01.retry-2'],
    ['a single character', 'a'],
    ['exactly 128 characters', 'r'.repeat(128)],
  ])('echoes a sane id: %s', (_name, id) => {
    expect(requestIdFrom(id)).toBe(id);
  });

  test.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['129 characters', 'r'.repeat(129)],
    ['a space', 'trace 01'],
    ['a slash', 'trace/01'],
    ['a colon', 'trace:01'],
    ['a header injection attempt', 'abc\r\nSet-Cookie: x=1'],
    ['a trailing newline', 'abc\n'],
    ['a non-ASCII letter', 'tracé'],
    ['a quote', '"abc"'],
    ['several ids', ['abc', 'def']],
  ])('replaces an id that is not sane with a generated UUID: %s', (_name, header) => {
    const id = requestIdFrom(header);

    expect(id).toMatch(UUID);
    expect(id).not.toBe(header);
  });

  test('every generated id is new', () => {
    const ids = new Set(Array.from({ length: 50 }, () => requestIdFrom(undefined)));

    expect(ids.size).toBe(50);
  });
});
