import { VerifiedTokenCache } from '../../src/auth/token-cache';
import type { VerifiedToken } from '../../src/auth/tokens';

const NOW = 1_800_000_000_000;
const token = (claims: Record<string, number>): VerifiedToken => ({ userId: 'alice', kind: 'external', claims });

describe('VerifiedTokenCache', () => {
  test('a verified token is found again until it expires', () => {
    const cache = new VerifiedTokenCache();
    const verified = token({ exp: NOW / 1000 + 30 });
    cache.set('t', verified, NOW);
    expect(cache.get('t', NOW + 29_000)).toBe(verified);
    expect(cache.get('t', NOW + 30_000)).toBeUndefined();
  });

  test('no entry outlives maxAge, even for a long-lived token', () => {
    const cache = new VerifiedTokenCache(10, 1000);
    cache.set('t', token({ exp: NOW / 1000 + 3600 }), NOW);
    expect(cache.get('t', NOW + 999)).toBeDefined();
    expect(cache.get('t', NOW + 1000)).toBeUndefined();
  });

  test('expired and not-yet-valid tokens are never stored', () => {
    const cache = new VerifiedTokenCache();
    cache.set('old', token({ exp: NOW / 1000 - 1 }), NOW);
    cache.set('early', token({ exp: NOW / 1000 + 60, nbf: NOW / 1000 + 10 }), NOW);
    expect(cache.size).toBe(0);
  });

  test('it holds at most maxEntries, dropping the oldest', () => {
    const cache = new VerifiedTokenCache(2);
    for (const name of ['a', 'b', 'c']) cache.set(name, token({ exp: NOW / 1000 + 60 }), NOW);
    expect(cache.size).toBe(2);
    expect(cache.get('a', NOW)).toBeUndefined();
    expect(cache.get('c', NOW)).toBeDefined();
  });
});
