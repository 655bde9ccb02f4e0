// Flat config. The layering table of STYLE.md is enforced here with no-restricted-imports.
import { builtinModules } from 'node:module';

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import unicorn from 'eslint-plugin-unicorn';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** @param {string[]} names @param {string[]} patterns @param {string} why */
const restrict = (names, patterns, why) => [
  'error',
  {
    paths: names.map((name) => ({ name, message: why })),
    patterns: patterns.map((group) => ({ group: [group], message: why })),
  },
];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'fixtures/out/**',
      'test-results/**',
      '**/*.d.ts',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    plugins: { 'simple-import-sort': simpleImportSort, unicorn },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      'unicorn/prefer-node-protocol': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', 'react', 'react-dom', 'dockerode', ...nodeBuiltins],
        ['node:*', '**/electron/**', '**/renderer/**', 'react/*'],
        'shared/ is pure TypeScript: no electron, node:*, DOM or React (see STYLE.md layering).',
      ),
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'process',
        'Buffer',
        'require',
        '__dirname',
      ],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/cli/**/*.ts', 'electron/server/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron'],
        ['**/renderer/**', '**/electron/main/**', '**/electron/preload/**'],
        'Services, the CLI and the browser server are plain Node: never import electron or the renderer.',
      ),
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        ['**/renderer/**', '**/electron/server/**', '**/server/**', '**/cli/**'],
        'Electron main never imports the renderer or another door (browser server, CLI): share through services.',
      ),
    },
  },
  {
    files: ['electron/server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron'],
        ['**/renderer/**', '**/main/**', '**/preload/**', '**/cli/**'],
        'The browser server is a door: it imports services and shared/, never another door.',
      ),
    },
  },
  {
    files: ['electron/cli/**/*.ts'],
    ignores: ['**/*.test.ts', 'electron/cli/commands/serve.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron'],
        ['**/renderer/**', '**/main/**', '**/preload/**', '**/server/**'],
        'The CLI is a door: it imports services and shared/, never another door (only `condense serve` starts the browser server).',
      ),
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [...nodeBuiltins, 'dockerode', '@conda-org/rattler'],
        ['**/renderer/**', '**/electron/services/**', '**/electron/main/**', 'node:*'],
        'The preload runs sandboxed: only electron renderer APIs and the shared contract.',
      ),
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict(
        ['electron', 'dockerode', '@conda-org/rattler', ...nodeBuiltins],
        ['node:*', '**/electron/**'],
        'The renderer talks only to the typed API in shared/: no electron, node:* or electron/ imports.',
      ),
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
