// @ts-check
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---- Workspace boundaries (who may import whom) ----------------------------------------------
// Dependencies flow one way: apps → packages; infra, loadtest and the root tests use any
// workspace by its package name. Nothing reaches into another workspace by a relative path or
// through `src/`/`dist/`, only through what its `exports` map lists. test/boundaries.test.ts
// proves each rule reports a deliberate violation.

/** Package names of the apps (`apps/<dir>/package.json`), so a new app is covered unedited. */
const APP_NAMES = readdirSync(join(import.meta.dirname, 'apps'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map(
    (d) =>
      /** @type {{ name: string }} */ (
        JSON.parse(readFileSync(join(import.meta.dirname, 'apps', d.name, 'package.json'), 'utf8'))
      ).name,
  );
const reOf = (/** @type {string[]} */ names) =>
  `^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(/|$)`;

const INTERNALS = {
  regex: '^@streambid/[^/]+/(src|dist)(/|$)',
  message: "Reaches into another workspace's internals: import what its exports map lists.",
};
const APPS = {
  regex: reOf(APP_NAMES),
  message: 'Apps are deployable processes: no other app or package imports one.',
};
const SOURCES = '{ts,mts,cts,js,mjs}';
/** Deepest directory nesting inside a workspace the depth rule checks. */
const MAX_DEPTH = 12;

/**
 * A file `depth` directories below its workspace root leaves the workspace with `depth + 1`
 * leading `../`; one config object per depth, since a rule option cannot see the file's path.
 * @param {string} root glob of the workspace roots
 * @param {{ regex: string, message: string }[]} extra what else this kind of workspace may not import
 */
function workspace(root, extra) {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    files: [`${root}/${'*/'.repeat(depth)}*.${SOURCES}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./){${String(depth + 1)}}`,
              message:
                'A relative import out of this workspace: import the other workspace by its package name.',
            },
            INTERNALS,
            ...extra,
          ],
        },
      ],
    },
  }));
}

/** Test, benchmark and fuzzing code; everything else in a workspace ships. */
const NOT_SHIPPED = [
  '**/*.test.ts',
  '**/src/test/**',
  '**/src/integration/**',
  '**/src/testing/**',
  '**/bench/**',
  '**/fuzz/**',
  '**/scripts/**',
];
/** The test lanes, shared with vitest.config.ts: the integration globs; the rest is unit. */
const LANES = /** @type {{ integration: string[] }} */ (
  JSON.parse(readFileSync(join(import.meta.dirname, 'test', 'lanes.json'), 'utf8'))
);
const TEST_ONLY = {
  regex: reOf(['@streambid/testkit', '@streambid/infra']),
  message: 'The test kit and infra serve tests, benchmarks and fuzzers, not code that ships.',
};
const IO = [
  {
    regex:
      '^(node:)?(fs|net|http|https|http2|dgram|dns|tls|child_process|cluster|worker_threads|readline)(/|$)',
    message: 'packages/contracts does no I/O: it holds types, schemas and pure functions.',
  },
  {
    regex: reOf([
      'kafkajs',
      'ioredis',
      '@clickhouse/client',
      'uWebSockets.js',
      'undici',
      'pino',
      'prom-client',
      '@streambid/adapters',
      '@streambid/kafka-wire',
    ]),
    message: 'packages/contracts does no I/O: clients and servers belong in the adapters.',
  },
];

const boundaries = [
  ...workspace('apps/*', [
    APPS,
    { regex: reOf(['@streambid/loadtest']), message: 'Apps do not import the load test.' },
  ]),
  ...workspace('packages/*', [
    APPS,
    {
      regex: reOf(['@streambid/infra', '@streambid/loadtest']),
      message: 'Packages are libraries: they import other packages only.',
    },
  ]),
  ...workspace('infra', [
    APPS,
    {
      regex: reOf(['@streambid/loadtest', '@streambid/testkit']),
      message: 'infra starts services; it depends on packages only.',
    },
  ]),
  ...workspace('loadtest', []),
  {
    // The root workspace: the cross-workspace tests, their global setup, root config files.
    files: [`test/**/*.${SOURCES}`, `*.${SOURCES}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\./|(\\.\\./)+)(apps|packages|infra|loadtest)/',
              message: 'A relative import into a workspace: import it by its package name.',
            },
            INTERNALS,
          ],
        },
      ],
    },
  },
  // What a file may import by its role rather than its place: a second rule, so these options do
  // not replace the ones above.
  {
    files: ['packages/contracts/**'],
    ignores: NOT_SHIPPED,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...IO, TEST_ONLY] }],
    },
  },
  {
    files: [`{apps/*,packages/*}/src/**/*.${SOURCES}`],
    ignores: [...NOT_SHIPPED, 'packages/contracts/**', 'packages/testkit/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [TEST_ONLY] }] },
  },
  {
    files: ['**/*.test.ts'],
    ignores: LANES.integration,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@streambid/(testkit/services|infra)$',
              message:
                'A unit test runs without services: put a test that needs them in an integration directory (README, "Testing").',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      'infra/lib/**',
      'infra/target/**',
      'loadtest/reports/**',
      '.ci/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Command-line entry points, benchmarks and scripts talk to a terminal.
    files: [
      '**/cli.ts',
      '**/bench/**',
      '**/scripts/**',
      'infra/src/**',
      'loadtest/src/**',
      '**/*.bench.ts',
      'apps/*/src/cli/**',
      'apps/*/src/main.ts',
      'test/**',
    ],
    rules: { 'no-console': 'off' },
  },
  ...boundaries,
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
