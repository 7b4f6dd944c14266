import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { EARLIEST_MS, isServiceTimestamp, LATEST_MS, parseDateTime, storableInstant } from '../../src/services/date-time';
import { dateTimeBetween, leapSecond, utcMs } from '../helpers/date-times';

const ajv = new Ajv();
addFormats(ajv);
const contractDateTime = ajv.compile({ type: 'string', format: 'date-time' });
const DAY = 86_400_000;

describe('parseDateTime', () => {
  test('reads every shape of date-time the contract admits, years 0000–9999, as the instant it names', () => {
    fc.assert(
      fc.property(dateTimeBetween(utcMs(0, 1, 2), utcMs(9999, 12, 30)), ({ text, ms }) => {
        expect(contractDateTime(text)).toBe(true);
        expect(parseDateTime(text)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  test('reads a leap second (23:59:60 UTC, in any offset) as the next day’s first instant', () => {
    fc.assert(
      fc.property(leapSecond(), ({ text, ms }) => {
        expect(contractDateTime(text)).toBe(true);
        expect(parseDateTime(text)).toBe(ms);
      }),
      { numRuns: 500 },
    );
  });

  test.each([
    ['2026-12-15T17:00:00+05', utcMs(2026, 12, 15, 12)],
    ['2026-12-15 17:00:00Z', utcMs(2026, 12, 15, 17)],
    ['2026-12-15t17:00:00.123456789z', utcMs(2026, 12, 15, 17, 0, 0, 123)],
    ['0050-01-01T00:00:00Z', utcMs(50, 1, 1)],
    ['9999-12-31T23:59:59-23:59', utcMs(10000, 1, 1, 23, 58, 59)],
  ])('%s', (text, ms) => {
    expect(parseDateTime(text)).toBe(ms);
  });

  test.each(['', 'May 5', '1', '2026-12-15', '2026-12-15T17:00:00', '+275760-09-13T00:00:00.000Z', '2026-12-15T17:00Z'])('%p is not a date-time', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});

describe('storableInstant', () => {
  test('holds from 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, and not a millisecond beyond', () => {
    expect(new Date(EARLIEST_MS).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(LATEST_MS).toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect([storableInstant(EARLIEST_MS - 1), storableInstant(EARLIEST_MS), storableInstant(LATEST_MS), storableInstant(LATEST_MS + 1)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  test('every storable instant prints as an RFC 3339 date-time in UTC that reads back as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: EARLIEST_MS, max: LATEST_MS }), (ms) => {
        const text = new Date(ms).toISOString();
        return contractDateTime(text) && isServiceTimestamp(text) && parseDateTime(text) === ms;
      }),
      { numRuns: 2000 },
    );
  });

  test('an instant a day outside the range in either direction is not storable', () => {
    expect(storableInstant(EARLIEST_MS - DAY)).toBe(false);
    expect(storableInstant(LATEST_MS + DAY)).toBe(false);
  });
});

describe('isServiceTimestamp', () => {
  test.each(['1', 'May 5', '0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '+010000-01-01T23:58:59.000Z', '2026-02-30T00:00:00.000Z', '2026-12-15T17:00:00Z', '2026-12-15T17:00:00.000+00:00'])(
    '%p is not a timestamp the service writes',
    (text) => {
      expect(isServiceTimestamp(text)).toBe(false);
    },
  );
});
