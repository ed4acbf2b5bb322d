import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The server's folders from top to bottom (docs/architecture.md): a folder may import at run time
 * only the folders below it. Data flows one way (scheduler -> runs -> job types -> store), and no
 * two folders can lean on each other: a folder cycle needs an import upwards, which fails lint.
 * Type imports may cross (they vanish at run time); the root's files (errors.js, clock.js,
 * events.js, config.js) are open to all, and the composition root (kairos.ts) imports everything.
 */
const SERVER_LAYERS = [
  'http',
  'access',
  'batches',
  'pacing',
  'budgets',
  'pools',
  'services',
  'scheduler',
  'runs',
  'workflows',
  'alerts',
  'job-types',
  'secrets',
  'runtime',
  'outbound',
  'cluster',
  'retention',
  'metrics',
  'gates',
  'store',
];

function serverLayers(layers) {
  return layers.slice(1).map((folder, index) => ({
    files: [`apps/server/src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: layers.slice(0, index + 1).map((above) => `**/${above}/**`),
              allowTypeImports: true,
              message: `${folder}/ may not depend at run time on a folder above it (see the layers in docs/architecture.md)`,
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
  // The server's layers: an import against the direction fails lint.
  ...serverLayers(SERVER_LAYERS),
  {
    // No module imports itself through others at run time (type imports vanish and may loop).
    files: ['apps/server/src/**/*.ts', 'packages/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['apps/*/tsconfig.json', 'packages/*/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The Dify simulator is a development and test tool: the server's tests and bench/ use it, the
    // server itself never ships it.
    files: ['apps/server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@kairos/dify-sim', message: 'the Dify simulator is for tests and development only' },
          ],
        },
      ],
    },
  },
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
