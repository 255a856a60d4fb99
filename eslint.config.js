// ESLint flat config: typescript-eslint (type-aware) plus the layer arrows of docs/architecture.md.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const IO_MODULES = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:os',
  'node:process',
  'node:dgram',
  'node:tls',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
  'os',
];

/** One rule per arrow: which of our folders a layer must not import. */
const layer = (files, forbiddenFolders, extraPaths = []) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: extraPaths.map((name) => ({
          name,
          message: 'core/ does no I/O: take it as a port or a plain value.',
        })),
        patterns: forbiddenFolders.map((folder) => ({
          group: [`**/${folder}/**`, `**/${folder}`],
          message: `this layer must not import ${folder}/ (see docs/architecture.md, dependency direction).`,
        })),
      },
    ],
  },
});

const FACES = ['cli', 'agent', 'dashboards', 'runbooks', 'chaos'];

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.toolchain/**', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `const { dropped, ...rest } = value` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  layer(
    ['core/**/*.{ts,tsx}'],
    ['cli', 'ops', 'systems', 'sandbox', ...FACES.slice(1)],
    IO_MODULES,
  ),
  layer(['ops/**/*.{ts,tsx}'], ['cli', 'systems', 'sandbox', ...FACES.slice(1)]),
  layer(['systems/**/*.{ts,tsx}'], ['cli', 'ops', 'sandbox', ...FACES.slice(1)]),
  layer(['sandbox/**/*.{ts,tsx}'], ['cli', 'ops', 'systems', ...FACES.slice(1)]),
  layer(['agent/**/*.{ts,tsx}'], ['cli', 'dashboards', 'runbooks', 'chaos']),
  layer(['dashboards/**/*.{ts,tsx}'], ['cli', 'agent', 'runbooks', 'chaos']),
  layer(['runbooks/**/*.{ts,tsx}'], ['cli', 'agent', 'dashboards', 'chaos']),
  layer(['chaos/**/*.{ts,tsx}'], ['cli', 'agent', 'dashboards', 'runbooks']),
  // systems/x never imports systems/y: each adapter may reach only core/ and systems/transport/.
  ...['etcd', 'zookeeper', 'kraft', 'nats', 'tikv', 'cockroach', 'consul', 'kubernetes'].map(
    (kind) =>
      layer(
        [`systems/${kind}/**/*.{ts,tsx}`],
        [
          'cli',
          'ops',
          'sandbox',
          ...['etcd', 'zookeeper', 'kraft', 'nats', 'tikv', 'cockroach', 'consul', 'kubernetes']
            .filter((other) => other !== kind)
            .map((other) => `systems/${other}`),
        ],
      ),
  ),
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);
