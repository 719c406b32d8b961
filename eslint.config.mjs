// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist-package/',
      'coverage/',
      'shared/generated/',
      '.azurite/',
      '.tools/',
      'reports/',
      '.stryker-tmp/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // The functions/ layer must stay thin: storage SDKs belong in shared/storage only.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@azure/storage-blob', '@azure/data-tables', '@azure/identity'] },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@azure/functions'] }],
    },
  },
  {
    // Screens, not scrolls: product code only (tests and generated validators are exempt);
    // docs/DEVELOPMENT.md#size lists the figures and any exception.
    files: ['functions/**/*.ts', 'shared/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['shared/generated/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 400 }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
  },
);
