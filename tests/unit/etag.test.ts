import { etagFor, ifMatchVersions, ifNoneMatchHits } from '../../src/core/etag';

/** Whether a write on a task at `version` goes ahead: how Task.updateOwned uses the versions (version IN them). */
function ifMatchAllows(header: string | undefined, version: number): boolean {
  const versions = ifMatchVersions(header);
  return versions === undefined || versions.includes(version);
}

describe('etagFor', () => {
  test('is a strong, quoted tag made from the version', () => {
    expect(etagFor(1)).toBe('"1"');
    expect(etagFor(42)).toBe('"42"');
  });

  test('different versions give different tags', () => {
    expect(etagFor(2)).not.toBe(etagFor(12));
  });
});

describe('If-Match, as the versions a write is allowed at', () => {
  test('no If-Match header lets the write go ahead (last write wins)', () => {
    expect(ifMatchAllows(undefined, 3)).toBe(true);
  });

  test('* matches any existing task', () => {
    expect(ifMatchAllows('*', 1)).toBe(true);
    expect(ifMatchAllows('*', 999)).toBe(true);
  });

  test('* surrounded by white space still matches', () => {
    expect(ifMatchAllows('  *\t', 3)).toBe(true);
  });

  test('the current tag matches', () => {
    expect(ifMatchAllows('"3"', 3)).toBe(true);
  });

  test('a stale tag does not match', () => {
    expect(ifMatchAllows('"2"', 3)).toBe(false);
  });

  test('a tag that only shares digits with the current one does not match', () => {
    expect(ifMatchAllows('"13"', 3)).toBe(false);
    expect(ifMatchAllows('"3"', 13)).toBe(false);
  });

  test('a list matches when any of its tags is the current one', () => {
    expect(ifMatchAllows('"1", "3", "5"', 3)).toBe(true);
    expect(ifMatchAllows('"1","3"', 3)).toBe(true);
  });

  test('a list matches nothing when none of its tags is the current one', () => {
    expect(ifMatchAllows('"1", "2", "4"', 3)).toBe(false);
  });

  test('white space around the tags of a list is ignored', () => {
    expect(ifMatchAllows('  "1" ,\t"3"  ', 3)).toBe(true);
    expect(ifMatchAllows(' "3" ', 3)).toBe(true);
  });

  test('a weak tag never matches, even for the current version', () => {
    expect(ifMatchAllows('W/"3"', 3)).toBe(false);
    expect(ifMatchAllows('"1", W/"3"', 3)).toBe(false);
  });

  test('an unquoted version is not an entity tag and does not match', () => {
    expect(ifMatchAllows('3', 3)).toBe(false);
  });

  test('an empty header matches nothing', () => {
    expect(ifMatchAllows('', 3)).toBe(false);
  });
});

describe('ifNoneMatchHits', () => {
  test('absent never hits; * always does', () => {
    expect(ifNoneMatchHits(undefined, '"a"')).toBe(false);
    expect(ifNoneMatchHits('*', '"a"')).toBe(true);
  });

  test('compares weakly, in a list', () => {
    expect(ifNoneMatchHits('"a"', '"a"')).toBe(true);
    expect(ifNoneMatchHits('W/"a"', '"a"')).toBe(true);
    expect(ifNoneMatchHits('"x", W/"a"', '"a"')).toBe(true);
    expect(ifNoneMatchHits('"b"', '"a"')).toBe(false);
  });
});

describe('ifMatchVersions', () => {
  test('no header and * allow any version', () => {
    expect(ifMatchVersions(undefined)).toBeUndefined();
    expect(ifMatchVersions(' * ')).toBeUndefined();
  });

  test('strong tags name their versions', () => {
    expect(ifMatchVersions('"3"')).toEqual([3]);
    expect(ifMatchVersions(' "3" , "7",W/"9"')).toEqual([3, 7]);
  });

  test('weak tags and tags that are not versions allow none', () => {
    expect(ifMatchVersions('W/"3"')).toEqual([]);
    expect(ifMatchVersions('"abc", 3, ""')).toEqual([]);
    expect(ifMatchVersions('"12345678901"')).toEqual([]);
  });

  test('agrees with ifMatchAllows on every version it names', () => {
    for (const header of ['"1"', '"1", "2"', 'W/"1"', '"x"', '"2",W/"1"']) {
      for (const version of [1, 2, 3]) {
        expect(ifMatchVersions(header)!.includes(version)).toBe(ifMatchAllows(header, version));
      }
    }
  });
});
