import fc from 'fast-check';
import pg from 'pg';
import { timestamptzParser, utcTimestampMs } from '../../src/db/timestamps';

// The service's timestamptz parser must read every value exactly as pg's own parser does.
// (Importing src/db/knex.ts would install it; this file never does, so pg's is the original.)

const pgParse = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => unknown;
const parse = timestamptzParser(pgParse);

const same = (text: string) => {
  const ours = parse(text);
  const theirs = pgParse(text);
  if (theirs instanceof Date) {
    expect(ours).toBeInstanceOf(Date);
    expect((ours as Date).getTime()).toBe(theirs.getTime());
  } else expect(ours).toEqual(theirs);
};

/** A timestamptz as PostgreSQL prints it in a session with TimeZone set to `zone`. */
const printed = (ms: number, fractionDigits: number, zone: string) => {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const fraction = (iso.slice(20, 23) + '000').slice(0, fractionDigits).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}${zone}`;
};

describe('timestamptz parsing', () => {
  it('reads the UTC form directly', () => {
    expect(utcTimestampMs('2026-12-01 02:35:23.464+00')).toBe(Date.parse('2026-12-01T02:35:23.464Z'));
    expect(utcTimestampMs('2026-12-01 02:35:23+00')).toBe(Date.parse('2026-12-01T02:35:23.000Z'));
    expect(utcTimestampMs('2026-12-01 02:35:23.4+00')).toBe(Date.parse('2026-12-01T02:35:23.400Z'));
    expect(utcTimestampMs('2026-12-01 02:35:23.123456+00')).toBe(Date.parse('2026-12-01T02:35:23.123Z'));
  });

  it('leaves every other form to pg', () => {
    for (const text of ['2026-12-01 02:35:23.464+01', '2026-12-01 02:35:23-05:30', '0044-03-15 12:00:00+00 BC', 'infinity', '-infinity',
      '0099-01-01 00:00:00+00', '2026-12-01 02:35:23.+00', '2026-12-01T02:35:23+00', '2026-12-01 02:35:2x+00', '2026-12-01 02:35:23.12a+00', '']) {
      expect(Number.isNaN(utcTimestampMs(text))).toBe(true);
      same(text);
    }
  });

  it('agrees with pg on every printed timestamp, in UTC and in other zones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31) }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('+00', '+00', '+00', '+01', '-05', '+05:30', '-03:30'),
        (ms, digits, zone) => same(printed(ms, digits, zone)),
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees with pg on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 32 }), (text) => same(text)), { numRuns: 5_000 });
    const near = fc.array(fc.constantFrom(...'0123456789-: .+ZBCa'), { minLength: 19, maxLength: 29 }).map((c) => c.join(''));
    fc.assert(fc.property(near, (text) => same(text)), { numRuns: 20_000 });
  });
});
