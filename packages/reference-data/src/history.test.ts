import { describe, expect, it } from 'vitest';
import { ReferenceHistory } from './history.js';

const v = (version: number, effectiveFrom: number) => ({
  version,
  effectiveFrom,
  value: `v${String(version)}`,
});

describe('ReferenceHistory', () => {
  it('has no version in force before the first effectiveFrom (the built-in default applies)', () => {
    const h = new ReferenceHistory<string>();
    expect(h.at(0)).toBeNull();
    h.put(v(1, 100));
    expect(h.at(99)).toBeNull();
    expect(h.at(100)?.value).toBe('v1');
  });

  it('puts each version in force from its effectiveFrom on', () => {
    const h = new ReferenceHistory<string>();
    h.put(v(2, 200));
    h.put(v(1, 100));
    expect([h.at(150)?.version, h.at(200)?.version, h.at(1e12)?.version]).toEqual([1, 2, 2]);
    expect(h.spanAt(150)).toMatchObject({ from: 100, to: 200 });
  });

  it('lets a higher version published with an earlier time replace a lower one from that time', () => {
    const h = new ReferenceHistory<string>();
    h.put(v(1, 100));
    h.put(v(2, 300));
    h.put(v(3, 200));
    expect([h.at(150)?.version, h.at(250)?.version, h.at(350)?.version]).toEqual([1, 3, 3]);
  });

  it('never puts a lower version in force after a higher one', () => {
    const h = new ReferenceHistory<string>();
    h.put(v(5, 100));
    h.put(v(4, 200));
    expect(h.at(250)?.version).toBe(5);
  });

  it('falls back to the previous version when one is retired, and replaces a version in place', () => {
    const h = new ReferenceHistory<string>();
    h.put(v(1, 100));
    h.put(v(2, 200));
    const g = h.generation;
    expect(h.remove(2)).toBe(true);
    expect(h.generation).toBeGreaterThan(g);
    expect(h.at(250)?.version).toBe(1);
    h.put({ version: 1, effectiveFrom: 50, value: 'fixed' });
    expect(h.at(60)?.value).toBe('fixed');
    expect(h.size).toBe(1);
  });
});
