import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['generated/**', 'dist/**', 'data/**', 'docs/**', 'coverage/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Command-line entry points talk to a person on stdout.
    files: ['scripts/**/*.ts', 'src/server.ts', 'tests/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Runs in the browser, beside Swagger UI's bundle.
    files: ['src/docs/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'writable', SwaggerUIBundle: 'readonly', SwaggerUIStandalonePreset: 'readonly' } },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['src/docs/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
