import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BOUNDARY_RULES = new Set([
  'no-restricted-imports',
  '@typescript-eslint/no-restricted-imports',
]);

let eslint: ESLint;

beforeAll(() => {
  // The repository's own eslint.config.js. Type-aware rules are off: a probe is in no tsconfig
  // project, and the boundary rules read only the import text and the file's path.
  eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });
});

/**
 * The boundary messages ESLint reports for `code` placed at `path` (relative to the repo root).
 * ESLint picks its config by path, so the probe is linted as text under that name: nothing is
 * written into the working tree, which others edit and typecheck at the same time.
 */
async function boundaryMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
    .map((m) => m.message);
}

describe('the boundary lint', () => {
  // Probes that each break one rule: [test name, probe path, probe code, what the message says].
  it.each([
    [
      'reports an app importing test support by a relative path out of the app',
      'apps/bidder/src/domain/probe.ts',
      "export { uniq } from '../../../../test/support/env.js';\n",
      'relative import out of this workspace',
    ],
    [
      'reports a relative import from one app into another',
      'apps/clickfraud/src/probe.ts',
      "export { loadConfig } from '../../inventory/src/config.js';\n",
      'relative import out of this workspace',
    ],
    [
      'reports an app importing another app by its package name',
      'apps/clickfraud/src/probe.ts',
      "export { BIDDER_NODE_FLAGS } from '@streambid/bidder';\n",
      'Apps are deployable processes',
    ],
    [
      "reports a deep import into another workspace's src",
      'loadtest/src/probe.ts',
      "export { up } from '@streambid/infra/src/index.js';\n",
      'internals',
    ],
    [
      'reports a root test reaching into a workspace by a relative path',
      'test/e2e/probe.ts',
      "export { startStack } from '../../loadtest/src/run.js';\n",
      'relative import into a workspace',
    ],
  ])('%s', async (_name, path, code, message) => {
    expect(await boundaryMessages(path, code)).toEqual([expect.stringContaining(message)]);
  });

  it('reports a package importing an app, by name or by path', async () => {
    const byName = await boundaryMessages(
      'packages/traffic/src/probe.ts',
      "export { BIDDER_NODE_FLAGS } from '@streambid/bidder';\n",
    );
    const byPath = await boundaryMessages(
      'packages/traffic/src/probe.ts',
      "export { BIDDER_NODE_FLAGS } from '../../../apps/bidder/src/runtime/node-flags.js';\n",
    );
    expect(byName).toEqual([expect.stringContaining('Apps are deployable processes')]);
    expect(byPath).toEqual([expect.stringContaining('relative import out of this workspace')]);
  });

  it('reports I/O in packages/contracts', async () => {
    const found = await boundaryMessages(
      'packages/contracts/src/probe.ts',
      "export { readFileSync } from 'node:fs';\nexport { Kafka } from 'kafkajs';\n",
    );
    expect(found).toEqual([
      expect.stringContaining('does no I/O'),
      expect.stringContaining('does no I/O'),
    ]);
  });

  it('reports the test kit in shipped app code but not in its tests', async () => {
    const code = "export { makeSpend } from '@streambid/testkit';\n";
    expect(await boundaryMessages('apps/clickfraud/src/domain/probe.ts', code)).toEqual([
      expect.stringContaining('not code that ships'),
    ]);
    expect(await boundaryMessages('apps/clickfraud/src/domain/probe.test.ts', code)).toEqual([]);
  });

  it('reports the service clients in a unit test but not in an integration test', async () => {
    const code = "export { uniq } from '@streambid/testkit/services';\n";
    expect(await boundaryMessages('apps/clickfraud/src/domain/probe.test.ts', code)).toEqual([
      expect.stringContaining('A unit test runs without services'),
    ]);
    expect(await boundaryMessages('apps/clickfraud/src/integration/probe.test.ts', code)).toEqual(
      [],
    );
  });

  it('accepts package imports and relative imports inside the workspace', async () => {
    const found = await boundaryMessages(
      'apps/bidder/src/domain/probe.ts',
      [
        "export { TOPICS } from '@streambid/contracts';",
        "export { createKafka } from '@streambid/adapters';",
        "export { loadBidderConfig } from '../config.js';",
        "export { BIDDER_NODE_FLAGS } from '../../fuzz/world.js';",
        '',
      ].join('\n'),
    );
    expect(found).toEqual([]);
  });
});
