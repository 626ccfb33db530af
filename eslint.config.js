// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The rooms of src/ and the rooms each may import from (the README's "Layout", after
 * ARCHITECTURE.md's table). src/errors.ts is open to every room; src/cli may import everything
 * and src/index.ts everything but src/cli. A room missing here (a new folder) is unrestricted
 * until it is added.
 */
const ROOMS = {
  matrix: [],
  nn: ['matrix'],
  train: ['nn', 'matrix', 'data'],
  data: ['io'],
  image: [],
  model: ['io', 'nn'],
  predict: ['model', 'nn', 'matrix', 'image', 'io'],
  export: ['model', 'nn', 'matrix', 'image', 'io'],
  report: ['model', 'nn', 'matrix', 'image'],
  serve: ['predict', 'model', 'report'],
  io: [],
};

/** Every folder an import can point at: the rooms, the CLI, and the public API module. */
const TARGETS = [...Object.keys(ROOMS), 'cli', 'index'];

/**
 * An import pattern for relative paths that climb out of a room into `target`: '../data/idx.js'
 * from src/nn, '../../data/dataset.js' from src/train/fast, '../index.js' for the API module.
 */
function importsOf(target) {
  return `^(\\.\\./)+${target}(/|\\.js$)`;
}

/** One no-restricted-imports rule per room, refusing every room not in its list. */
const boundaries = Object.entries(ROOMS).map(([room, allowed]) => ({
  files: [`src/${room}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: TARGETS.filter((target) => target !== room && !allowed.includes(target)).map(
          (target) => ({
            regex: importsOf(target),
            message: `src/${room} may import only ${allowed.length === 0 ? 'src/errors.ts' : `${allowed.join(', ')} and errors`} (README, Layout; ARCHITECTURE.md).`,
          }),
        ),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'models/',
      'coverage/',
      'reports/',
      '.stryker-tmp*/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits loses its errors (and, in training, its order).
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  ...boundaries,
  {
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\./cli/',
              message: 'src/index.ts is the library: it never imports src/cli.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
