// pg parses each timestamptz with postgres-date: regular expressions and a handful of strings
// per value, four values per task, two hundred per page of tasks (a quarter of everything a list
// request allocated). The text a UTC session prints for these millisecond columns,
// "2026-12-01 02:35:23.464+00", is read here digit by digit; anything else (another session
// time zone, BC, infinity, years before 100) goes to the parser pg would have used.

type Parser = (text: string) => unknown;

/** The number written in text[from, to), or NaN when a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

/** "YYYY-MM-DD HH:MM:SS[.f…]+00" as epoch milliseconds, or NaN when the text is not that. */
export function utcTimestampMs(text: string): number {
  const n = text.length;
  // 19 characters of date and time, an optional fraction of 1–6 digits, "+00".
  if (n < 22 || n > 29 || n === 23 || !text.endsWith('+00')) return NaN;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return NaN;
  let ms = 0;
  if (n > 22) {
    if (text[19] !== '.') return NaN;
    const fraction = digits(text, 20, Math.min(n - 3, 23));
    ms = fraction * 10 ** (3 - Math.min(n - 23, 3));
    if (n - 23 > 3 && Number.isNaN(digits(text, 23, n - 3))) return NaN;
  }
  const year = digits(text, 0, 4);
  // Date.UTC reads the years 0–99 as 1900–1999.
  if (!(year >= 100)) return NaN;
  return Date.UTC(year, digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), ms);
}

/** A timestamptz parser for pg: the fast path above, `fallback` (pg's own) for everything else. */
export function timestamptzParser(fallback: Parser): (text: string) => unknown {
  return (text) => {
    const ms = utcTimestampMs(text);
    return Number.isNaN(ms) ? fallback(text) : new Date(ms);
  };
}
