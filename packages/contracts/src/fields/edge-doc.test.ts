import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShape } from './describe.js';
import { edgeDoc } from './edge-doc.js';
import { bidRequestSpec } from '../openrtb/spec.js';

describe('docs/openrtb-edge.md', () => {
  it('is the table the request declaration generates (run `npm run docs:edge` after a change)', () => {
    const doc = readFileSync(new URL('../../../../docs/openrtb-edge.md', import.meta.url), 'utf8');
    expect(doc).toBe(edgeDoc());
  });

  it('lists every declared field, the nested ones with their full path', () => {
    const paths = describeShape(bidRequestSpec).map((r) => r.path);
    expect(paths).toContain('imp[].pmp.deals[].bidfloor');
    expect(paths).toContain('device.geo.country');
    expect(new Set(paths).size).toBe(paths.length);
  });
});
