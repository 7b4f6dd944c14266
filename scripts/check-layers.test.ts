import { findings, layerOf, LAYERS } from './check-layers';

describe('check-layers', () => {
  test('every folder of src/ is in a layer, and the order runs edge → api → services → migrations → models → core', () => {
    expect(LAYERS.map((l) => l.name)).toEqual(['edge', 'api', 'services', 'migrations', 'models', 'core']);
    for (const file of ['src/server.ts', 'src/http/body.ts', 'src/api/router.ts', 'src/api/handlers/tasks.ts', 'src/services/tasks.ts', 'src/auth/tokens.ts', 'migrations/index.ts', 'src/models/Task.ts', 'src/db/knex.ts', 'src/core/errors.ts']) {
      expect({ file, layer: layerOf(file) }).toEqual({ file, layer: expect.any(Number) });
      expect(layerOf(file)).toBeGreaterThanOrEqual(0);
    }
  });

  test('an import from a lower layer to a higher one is reported', () => {
    expect(findings([['src/services/tasks.ts', 'src/http/body.ts']])).toEqual([
      { from: 'src/services/tasks.ts', to: 'src/http/body.ts', why: 'services imports edge, a layer above it' },
    ]);
  });

  test('downward and same-layer imports are fine', () => {
    expect(findings([['src/http/route-match.ts', 'src/api/router.ts'], ['src/api/backend.ts', 'src/core/problem.ts'], ['src/db/errors.ts', 'src/core/errors.ts']])).toEqual([]);
  });

  test('the loops the service had before its vocabulary moved to src/core are reported', () => {
    // src/http held both the edge middleware and the error vocabulary that api and db imported.
    const before: [string, string][] = [
      ['src/http/route-match.ts', 'src/api/router.ts'],
      ['src/api/backend.ts', 'src/http/problem.ts'],
      ['src/http/error-handler.ts', 'src/db/errors.ts'],
      ['src/db/errors.ts', 'src/http/errors.ts'],
    ];
    const loops = findings(before).filter((f) => f.why.startsWith('folders'));
    expect(loops).toHaveLength(1);
    expect(loops[0].why).toMatch(/src\/http/);
    expect(loops[0].why).toMatch(/src\/api/);
    expect(loops[0].why).toMatch(/src\/db/);
  });

  test('a file outside every layer is reported', () => {
    expect(findings([['src/elsewhere/x.ts', 'src/core/errors.ts']])[0].why).toMatch(/in no layer/);
  });
});
