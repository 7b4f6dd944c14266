import { checkPassword, normalizeEmail } from '../../src/services/accounts';
import { bearerToken, emailOf, subjectOf, TokenRejected } from '../../src/auth/tokens';
import { HttpProblem } from '../../src/core/problem';

function fieldError(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpProblem);
    return (err as HttpProblem).errors?.[0];
  }
  throw new Error('expected a 422');
}

describe('normalizeEmail', () => {
  test('trims and lower-cases', () => {
    expect(normalizeEmail('  Alice@X.COM \n')).toBe('alice@x.com');
  });

  test('more than 254 characters once trimmed is a 422 maxLength on /email', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(186)}.org`;
    expect(fieldError(() => normalizeEmail(long))).toMatchObject({ field: '/email', rule: 'maxLength' });
    expect(normalizeEmail(`  ${'a'.repeat(64)}@${'b'.repeat(185)}.org  `)).toHaveLength(254);
  });
});

describe('checkPassword', () => {
  test('72 bytes pass and 73 bytes are refused, counted in UTF-8 bytes', () => {
    expect(() => checkPassword('€'.repeat(24), 'a@b.co')).not.toThrow(); // 72 bytes
    expect(fieldError(() => checkPassword('€'.repeat(24) + 'x', 'a@b.co'))).toMatchObject({ field: '/password', rule: 'maxLength' });
  });

  test('the email as password is refused, whatever its case', () => {
    expect(fieldError(() => checkPassword('Alice@Example.org', 'alice@example.org'))).toMatchObject({ rule: 'not_email' });
  });
});

describe('bearerToken', () => {
  test.each(['Bearer abc.def.ghi', 'bearer abc.def.ghi', 'Bearer   abc.def.ghi  '])('%p yields the token', (header) => {
    expect(bearerToken(header)).toBe('abc.def.ghi');
  });

  test.each([undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'abc.def.ghi', 'Bearer a b'])('%p is Missing authentication', (header) => {
    try {
      bearerToken(header);
      throw new Error('expected a rejection');
    } catch (err) {
      expect(err).toBeInstanceOf(TokenRejected);
      expect((err as TokenRejected).reason).toBe('missing');
      expect(((err as TokenRejected).problem as HttpProblem).detail).toBe('Missing authentication');
    }
  });
});

describe('subjectOf', () => {
  test('prefers sub, then user_id, then id', () => {
    expect(subjectOf({ sub: 'a', user_id: 'b', id: 'c' })).toBe('a');
    expect(subjectOf({ user_id: 'b', id: 'c' })).toBe('b');
    expect(subjectOf({ id: 'c' })).toBe('c');
    expect(subjectOf({ id: 42 })).toBe('42');
  });

  test('empty, over-long or non-scalar subjects do not count', () => {
    expect(subjectOf({ sub: '' })).toBeUndefined();
    expect(subjectOf({ sub: 'x'.repeat(256) })).toBeUndefined();
    expect(subjectOf({ sub: { id: 'a' } as never })).toBeUndefined();
    expect(subjectOf({})).toBeUndefined();
  });

  test('a subject PostgreSQL cannot store (U+0000, an unpaired surrogate) does not count', () => {
    expect(subjectOf({ sub: 'a\u0000b' })).toBeUndefined();
    expect(subjectOf({ sub: 'a\uD800' })).toBeUndefined();
    expect(subjectOf({ sub: '\uDC00a' })).toBeUndefined();
    expect(subjectOf({ sub: '😀' })).toBe('😀');
  });

  test('the first claim present decides: an unusable sub does not fall through to user_id or id', () => {
    expect(subjectOf({ sub: 'a\u0000b', user_id: 'b' })).toBeUndefined();
    expect(subjectOf({ sub: '', id: 'c' })).toBeUndefined();
    expect(subjectOf({ user_id: null as never, id: 'c' })).toBeUndefined();
  });
});

describe('emailOf', () => {
  test('keeps a storable email of at most 254 characters, trimmed and lower-cased', () => {
    expect(emailOf({ email: ' Alice@Example.org ' })).toBe('alice@example.org');
    expect(emailOf({ email: 'a\u0000b@example.org' })).toBeUndefined();
    expect(emailOf({ email: `${'x'.repeat(243)}@example.org` })).toBeUndefined();
    expect(emailOf({ email: 42 as never })).toBeUndefined();
  });
});
