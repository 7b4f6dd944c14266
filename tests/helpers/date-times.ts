import fc from 'fast-check';

// RFC 3339 date-times in every shape the contract's `date-time` admits (ajv-formats): `T`, `t` or
// white space between date and time, 0–9 fraction digits, `Z`/`z` or an offset written ±HH:MM,
// ±HHMM or ±HH, up to ±23:59, and leap seconds. Each comes with the instant it names, computed
// from how it was built (not by parsing it), to the millisecond.

export interface WrittenDateTime {
  text: string;
  /** Epoch milliseconds of the instant (the fraction cut to milliseconds). */
  ms: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const MINUTE = 60_000;

/** Epoch ms of a calendar time in UTC, for any year 0–9999 (Date.UTC reads 0–99 as 1900–1999). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** The 4-digit-year calendar fields of an instant in UTC, or undefined outside the years 0000–9999. */
function fields(ms: number) {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  return { year, month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

function zone(offsetMinutes: number, style: 'colon' | 'compact' | 'hours', zulu: string): string {
  if (offsetMinutes === 0 && zulu) return zulu;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(offsetMinutes) / 60));
  const m = pad(Math.abs(offsetMinutes) % 60);
  if (style === 'hours' && m === '00') return `${sign}${h}`;
  return style === 'compact' ? `${sign}${h}${m}` : `${sign}${h}:${m}`;
}

const writing = fc.record({
  separator: fc.constantFrom('T', 't', ' '),
  zulu: fc.constantFrom('Z', 'z', ''),
  style: fc.constantFrom('colon' as const, 'compact' as const, 'hours' as const),
  extraDigits: fc.stringMatching(/^\d{0,6}$/),
  withFraction: fc.boolean(),
});

/** A date-time naming an instant between `min` and `max` (epoch ms), written some way the contract admits. */
export function dateTimeBetween(min: number, max: number): fc.Arbitrary<WrittenDateTime> {
  const offset = fc.oneof(fc.constant(0), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }));
  return fc
    .record({ instant: fc.integer({ min, max }), offset, writing })
    .map(({ instant, offset: minutes, writing: w }) => {
      // Without a fraction, the instant is cut to the second.
      const ms = w.withFraction ? instant : instant - (((instant % 1000) + 1000) % 1000);
      const local = fields(ms + minutes * MINUTE);
      if (!local) return undefined;
      const millis = pad(((ms % 1000) + 1000) % 1000, 3);
      const fraction = w.withFraction ? `.${millis}${w.extraDigits}` : '';
      const text = `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}${w.separator}${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}${fraction}${zone(minutes, w.style, w.zulu)}`;
      return { text, ms };
    })
    .filter((x): x is WrittenDateTime => x !== undefined);
}

/** A leap second (23:59:60 UTC, written in some offset), which names the next instant after 23:59:59.999. */
export function leapSecond(minYear = 1, maxYear = 9999): fc.Arbitrary<WrittenDateTime> {
  return fc
    .record({ day: fc.integer({ min: utcMs(minYear, 1, 1) / 86_400_000, max: utcMs(maxYear, 12, 31) / 86_400_000 }), offset: fc.integer({ min: -23, max: 23 }), writing })
    .map(({ day, offset, writing: w }) => {
      const next = (Math.floor(day) + 1) * 86_400_000; // 24:00:00 of that UTC day
      const local = fields(next - 1000 + offset * 60 * MINUTE);
      if (!local) return undefined;
      const text = `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}${w.separator}${pad(local.hour)}:${pad(local.minute)}:60${zone(offset * 60, w.style, w.zulu)}`;
      return { text, ms: next };
    })
    .filter((x): x is WrittenDateTime => x !== undefined);
}
