import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['generated/**', 'dist/**', 'sdk/dist/**', 'data/**', 'docs/**', 'coverage/**', 'node_modules/**'] },
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
    // Every query of a table is written in its model (src/models), scoped to the caller where it
    // holds tasks: nowhere else builds one or writes SQL (connections, migrations and the database
    // plumbing in src/db aside). So "every task query carries the caller's user_id" is checked here.
    files: ['src/**/*.ts'],
    ignores: ['src/models/**', 'src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query'][callee.object.name=/^(Task|User)$/]",
          message: 'Queries of a table live in its model (src/models): call one of its methods.',
        },
        {
          selector: "CallExpression[callee.type='Identifier'][arguments.0.type='Literal'][arguments.0.value=/^(tasks|users|deleted_users|rate_limits)$/]",
          message: 'Queries of a table live in its model (src/models): call one of its methods.',
        },
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(raw|whereRaw)$/]",
          message: 'SQL lives in src/models (statements) and src/db (plumbing): call a method there.',
        },
      ],
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
