import { configDefaults, defineConfig } from 'vitest/config';

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
    include: [
      '{packages,apps}/*/src/**/*.test.ts',
      'test/**/*.test.ts',
      'infra/src/**/*.test.ts',
      'loadtest/src/**/*.test.ts',
    ],
    // Service data, fetched jars and reports change while the global setup starts services; the
    // file crawl must not walk into them.
    exclude: [...configDefaults.exclude, '.data/**', 'infra/lib/**', 'loadtest/reports/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
