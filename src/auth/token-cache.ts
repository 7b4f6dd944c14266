import type { VerifiedToken } from './tokens';

/**
 * Tokens already verified, so a client sending the same token again skips the signature check
 * (WebCrypto HMAC through jose is a visible part of a request's CPU; docs/performance.md). An
 * entry lives until its token expires, never longer than `maxAgeMs`; the cache holds at most
 * `maxEntries` (the oldest go first). Only successes are kept: a refused token is checked again
 * every time. Whether the token's user still exists is not cached here: that is checked on every
 * request.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { token: VerifiedToken; until: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  get(raw: string, now = Date.now()): VerifiedToken | undefined {
    const entry = this.entries.get(raw);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(raw);
      return undefined;
    }
    return entry.token;
  }

  set(raw: string, token: VerifiedToken, now = Date.now()): void {
    const exp = typeof token.claims.exp === 'number' ? token.claims.exp * 1000 : now + this.maxAgeMs;
    const nbf = typeof token.claims.nbf === 'number' ? token.claims.nbf * 1000 : 0;
    if (nbf > now) return; // not yet valid tokens are refused anyway
    const until = Math.min(exp, now + this.maxAgeMs);
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(raw, { token, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
