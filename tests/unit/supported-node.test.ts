import { satisfiesMinimum } from '../../src/supported-node';

describe('satisfiesMinimum', () => {
  test.each([
    ['22.19.0', '>=22.19', true],
    ['22.23.5', '>=22.19', true],
    ['24.0.0', '>=22.19', true],
    ['v24.22.3', '>=22.19.0', true],
    ['22.18.9', '>=22.19', false],
    ['20.20.2', '>=22.19', false],
    ['22.19.0', '>=22.19.1', false],
    ['23.0.0', '>=22', true],
  ])('Node %s against %s: %s', (version, range, expected) => {
    expect(satisfiesMinimum(version, range)).toBe(expected);
  });

  test('a range it cannot read is an error, not a pass', () => {
    expect(() => satisfiesMinimum('24.0.0', '^22.19 || >=24')).toThrow(/engines.node/);
  });
});
