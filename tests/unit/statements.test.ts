import { statementName } from '../../src/db/statements';

describe('statementName', () => {
  test('one text always gets the same name, and two texts never share one', () => {
    const a = statementName('SELECT 1 WHERE ? = ?');
    const b = statementName('SELECT 2 WHERE ? = ?');
    expect(statementName('SELECT 1 WHERE ? = ?')).toBe(a);
    expect(b).not.toBe(a);
  });

  test('past a thousand texts, new ones run unnamed while the named keep their names', () => {
    const first = statementName('SELECT "first"');
    for (let i = 0; i < 1000; i++) statementName(`SELECT ${i}`);
    expect(statementName('SELECT "one too many"')).toBeUndefined();
    expect(statementName('SELECT "first"')).toBe(first);
  });
});
