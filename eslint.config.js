// Lint for src/, test/, scripts/ and bench/ (npm run lint, part of npm test).
// Why these limits: a file over 300 lines or a function over 80 mixes
// concerns that should be read (and tested) apart; 80 lines is about one
// screen, the most of a function one can hold in mind at once. Tests and
// benchmarks are tables of cases and get more room. The layers of src/ (core
// up to cli) are kept by a local rule, eslint-rules/layers.js.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './eslint-rules/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'native/build/**', 'coverage/**', 'fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        require: 'readonly',
        module: 'writable',
        URL: 'readonly',
        AbortController: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      // `a && b || c` reads two ways; the diagnosis (src/diagnose/) once shipped the wrong one.
      'no-mixed-operators': ['error', { groups: [['&&', '||', '??']], allowSamePrecedence: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // This tool strips terminal escapes and control bytes from /proc text: those regexes are the point.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'daemon-check': layersPlugin },
    rules: {
      // The layers of src/, lowest first (core ... cli): a module imports only its own layer or lower ones.
      'daemon-check/layers': 'error',
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      // The bundle turns `import * as fs from 'node:fs'` into a copy of every export,
      // one getter at a time, in each module that does it (scripts/bundle.mjs).
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/^node:/] > ImportNamespaceSpecifier',
          message:
            "Import what you use by name from Node's modules: the bundle copies a namespace import's every export (~0.15 ms each, per module, per run).",
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
