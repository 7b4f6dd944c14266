import { readableLogs } from '../../src/core/log';

describe('readableLogs', () => {
  test.each([
    ['auto', true, false, true],
    ['auto', false, false, false],
    ['auto', true, true, false],
    ['json', true, false, false],
    ['pretty', false, true, true],
  ] as const)('LOG_FORMAT=%s, terminal %s, production %s: readable %s', (format, terminal, production, expected) => {
    expect(readableLogs(format, { terminal, production })).toBe(expected);
  });
});
