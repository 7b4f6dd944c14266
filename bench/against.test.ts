import { lockMismatches } from './against';

describe('lockMismatches', () => {
  const lock = (packages: Record<string, string>) => ({
    packages: { '': {}, ...Object.fromEntries(Object.entries(packages).map(([name, version]) => [`node_modules/${name}`, { version }])) },
  });

  test('an older commit that locks a subset of the same packages can borrow this node_modules', () => {
    expect(lockMismatches(lock({ koa: '3.0.0' }), lock({ koa: '3.0.0', zod: '4.6.7' }))).toEqual([]);
  });

  test('a package locked at another version, or missing here, is named', () => {
    expect(lockMismatches(lock({ koa: '2.15.0', pg: '8.0.0' }), lock({ koa: '3.0.0' }))).toEqual(['koa 2.15.0 (here 3.0.0)', 'pg 8.0.0 (here absent)']);
  });
});
