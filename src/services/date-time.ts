// RFC 3339 date-times as the contract admits them (ajv-formats' `date-time`: `T`, `t` or white
// space between date and time, any number of fraction digits, `Z` or an offset of ±HH, ±HHMM or
// ±HH:MM, a leap second at 23:59:60 UTC), read here without Date.parse, which refuses some of
// them (`+05`, leap seconds) and reads others differently across engines. The instants the
// service keeps are bounded by what both PostgreSQL and an RFC 3339 date-time in UTC can carry:
// the years 0001 to 9999, to the millisecond.

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt\s](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Epoch milliseconds of a UTC calendar time; seconds may be 60 (a leap second rolls over). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read the years 0–99 as 1900–1999
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** The first and last instants a date-time field may hold: 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. */
export const EARLIEST_MS = utc(1, 1, 1, 0, 0, 0, 0);
export const LATEST_MS = utc(9999, 12, 31, 23, 59, 59, 999);

/**
 * The instant `text` names, in epoch milliseconds (a finer fraction is cut, not rounded), or
 * undefined when it is not in the contract's date-time shape. Calendar checks (a 30th of
 * February) are the contract's: this assumes a text that passed them.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] = m;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  return utc(+year, +month, +day, +hour, +minute, +second, ms) - offset * 60_000;
}

/** Whether an instant can be stored and given back as an RFC 3339 date-time (see EARLIEST_MS, LATEST_MS). */
export const storableInstant = (ms: number) => ms >= EARLIEST_MS && ms <= LATEST_MS;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Whether `text` is exactly how the service writes a storable instant (`toISOString()`). */
export function isServiceTimestamp(text: string): boolean {
  if (!ISO_UTC.test(text)) return false;
  const ms = Date.parse(text);
  return storableInstant(ms) && new Date(ms).toISOString() === text;
}
