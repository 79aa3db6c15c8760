import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIDDER_NODE_FLAGS } from './node-flags.js';

describe('the bidder’s V8 flags', () => {
  it('are on the `npm run bidder` command line, before the entry', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    ) as { scripts: Record<string, string> };
    const args = (pkg.scripts['bidder'] ?? '').split(/\s+/);
    const entry = args.indexOf('apps/bidder/src/main.ts');
    expect(entry).toBeGreaterThan(0);
    for (const flag of BIDDER_NODE_FLAGS) {
      expect(args.indexOf(flag)).toBeGreaterThan(0);
      expect(args.indexOf(flag)).toBeLessThan(entry);
    }
  });
});
