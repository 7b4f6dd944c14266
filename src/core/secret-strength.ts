// Whether a signing secret is one an attacker could guess: a placeholder copied from an example,
// or text with far less randomness than its length suggests (`aaaa…`, `abcd…`, a phrase
// repeated). The measure is deliberately simple — the empirical entropy of its characters, times
// its length, with repetitions and runs found first — and errs on the side of refusing: a secret
// made the way the message says always passes.

/** Placeholders from this project's docs and the usual ones from tutorials, compared case-insensitively. */
const PLACEHOLDERS = [
  'at-least-32-bytes-shared-with-your-identity-provider',
  'make-one-with-openssl-rand-base64-48',
  'change-me',
  'changeme',
  'change-this-secret',
  'replace-me',
  'your-secret',
  'your-secret-here',
  'your-256-bit-secret',
  'secret',
  'supersecret',
  'jwt-secret',
  'my-secret-key',
];

/** Estimated bits a secret must carry; `openssl rand -hex 16` (32 hex digits) carries about 110 by this measure. */
export const MIN_SECRET_BITS = 96;

export const HOW_TO_MAKE_ONE = 'make one with `openssl rand -base64 48` (or `node -e "console.log(crypto.randomBytes(48).toString(\'base64url\'))"`)';

/** Shannon entropy of the characters of `text`, in bits, times its length. */
export function entropyBits(text: string): number {
  const chars = [...text];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}

/** The shortest unit `text` is a repetition of (a period of at most half its length), or undefined. */
function repeatedUnit(text: string): string | undefined {
  for (let period = 1; period <= text.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < text.length && repeats; i++) repeats = text[i] === text[i - period];
    if (repeats) return text.slice(0, period);
  }
  return undefined;
}

/** The share of neighbouring characters that repeat or count up or down by one (`aaaa`, `abcd`, `4321`). */
function runShare(text: string): number {
  let runs = 0;
  for (let i = 1; i < text.length; i++) if (Math.abs(text.charCodeAt(i) - text.charCodeAt(i - 1)) <= 1) runs += 1;
  return text.length > 1 ? runs / (text.length - 1) : 1;
}

/** Why `secret` is too weak to sign tokens with, or undefined when it is not. */
export function weakSecretReason(secret: string): string | undefined {
  const lowered = secret.trim().toLowerCase();
  if (PLACEHOLDERS.some((p) => lowered === p || lowered.replace(/[\s_-]/g, '') === p.replace(/-/g, ''))) {
    return 'is a placeholder from an example';
  }
  const unit = repeatedUnit(secret);
  if (unit !== undefined) return `repeats "${unit.length > 8 ? `${unit.slice(0, 8)}…` : unit}"`;
  if (runShare(secret) > 0.5) return 'is mostly runs of repeated or consecutive characters';
  const bits = entropyBits(secret);
  if (bits < MIN_SECRET_BITS) return `carries about ${Math.floor(bits)} bits of randomness (at least ${MIN_SECRET_BITS} needed)`;
  return undefined;
}
