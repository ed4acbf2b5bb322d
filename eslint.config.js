import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One config per server folder: value imports from the named sibling folders are refused; `*`
 * refuses every sibling folder (the root's errors.js and clock.js stay allowed).
 */
function serverLayers(refused) {
  return Object.entries(refused).map(([folder, names]) => ({
    files: [`apps/server/src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: names.map((name) => (name === '*' ? '../*/**' : `**/${name}/**`)),
              allowTypeImports: true,
              message: `${folder}/ may not depend on this at run time (see the layers in docs/architecture.md)`,
            },
          ],
        },
      ],
    },
  }));
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A scheduler loop must never drop a rejected promise.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The server's layers (docs/architecture.md): data flows one way, scheduler -> runs -> job types
  // -> store. A value import against that direction fails lint; types may cross (they vanish).
  ...serverLayers({
    time: ['*'],
    store: ['*'],
    scheduler: ['http', 'alerts', 'metrics', 'cluster', 'dev'],
    runs: ['http', 'scheduler', 'metrics', 'cluster', 'dev'],
    'job-types': ['http', 'runs', 'scheduler', 'alerts', 'metrics', 'cluster', 'dev'],
    dispatch: ['http', 'runs', 'scheduler', 'alerts', 'metrics', 'cluster', 'dev'],
    alerts: ['http', 'runs', 'scheduler', 'metrics', 'cluster', 'dev'],
    metrics: ['http', 'runs', 'scheduler', 'alerts', 'cluster', 'dev'],
    cluster: ['http', 'alerts', 'metrics', 'dev'],
    services: ['http', 'alerts', 'metrics', 'cluster', 'dev'],
    batches: ['http', 'scheduler', 'alerts', 'metrics', 'cluster', 'dev'],
    http: ['dev'],
  }),
  {
    // Tests read API answers as loosely typed JSON.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
  },
);
