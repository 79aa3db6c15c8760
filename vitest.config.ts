import { configDefaults, defineConfig } from 'vitest/config';
import lanes from './test/lanes.json' with { type: 'json' };

// Two lanes, told apart by where a test lives (README, "Testing"; globs in test/lanes.json, which
// the lint reads too):
// - integration: `*.test.ts` under a workspace's `src/test/` or `src/integration/`, and under the
//   root `test/integration/`, `test/e2e/` and `test/fuzz/`. They run against the real Kafka, Redis,
//   ClickHouse and MirrorMaker 2 that the global setup brings up (or reuses), through
//   `@streambid/testkit/services`.
// - unit: every other `*.test.ts`. No global setup, so no services and no endpoints; the lint
//   keeps `@streambid/testkit/services` and `@streambid/infra` out of unit tests.
// `npm run test:unit` (seconds), `npm run test:integration`, `npm test` runs both. The unit script
// adds `--no-isolate`: its files share the worker's module cache instead of re-importing zod, uWS,
// kafkajs... each (about 20 s of CPU instead of 60 s here), so a unit test keeps no global state
// (no module mocks, fake timers or environment writes); and `--maxWorkers=2`, two files at a time
// on two cores (vitest's default leaves one core to itself), about 20 s instead of 27 s here.
// Flags, not project options, because the forks pool is shared: the integration lane keeps one
// file at a time, each in a fresh process.

export default defineConfig({
  // Workspace packages resolve to their TypeScript source: no build step between edit and test.
  resolve: { conditions: ['@streambid/source', 'node', 'import', 'default'] },
  ssr: {
    resolve: {
      conditions: ['@streambid/source', 'node', 'import', 'default'],
      externalConditions: ['@streambid/source'],
    },
  },
  test: {
    // Service data, fetched jars and reports change while the global setup starts services; the
    // file crawl must not walk into them.
    exclude: [...configDefaults.exclude, '.data/**', 'infra/lib/**', 'loadtest/reports/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: lanes.all,
          exclude: lanes.integration,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: lanes.integration,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
