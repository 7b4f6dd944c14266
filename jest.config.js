/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Tests of the tooling sit beside it (bench/, scripts/); the service's own under tests/.
  testMatch: ['<rootDir>/tests/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts', '<rootDir>/bench/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // jose and the ref parser ship ESM only; let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@apidevtools/json-schema-ref-parser)/)'],
  // generated/ imports with .js suffixes (nodenext); map them back to the .ts sources.
  // The SDK package's consumers (tests/sdk) import it by name, as from the installed package.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^@task-api/sdk$': '<rootDir>/sdk/src/index.ts' },
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  testTimeout: 30000,
  // Two cores: one worker per core; each test file gets its own database.
  maxWorkers: 2,
};
