import { describe, expect, it } from 'vitest';
import { ReferenceAtTime } from './at-time.js';
import { ipv4ToInt } from './datacentre.js';

const ip = (s: string): number => ipv4ToInt(s) ?? -1;

describe('ReferenceAtTime', () => {
  it('gives the built-in lists before any version and the versions in force after', () => {
    const r = new ReferenceAtTime();
    r.datacentre.put({
      version: 1,
      effectiveFrom: 1000,
      value: { ranges: [{ cidr: '203.0.113.0/24', provider: 'one' }] },
    });
    r.bots.put({ version: 1, effectiveFrom: 2000, value: { patterns: ['zqalpha'] } });
    const before = r.at(500);
    expect(before.versions).toEqual({ bots: 0, datacentre: 0 });
    expect(before.datacentre.lookupInt(ip('3.80.1.2'))).toBe('aws');
    expect(before.botUa('python-requests/2.31')).toBe(true);
    const mid = r.at(1500);
    expect(mid.versions).toEqual({ bots: 0, datacentre: 1 });
    expect(mid.datacentre.lookupInt(ip('3.80.1.2'))).toBeNull();
    expect(mid.datacentre.lookupInt(ip('203.0.113.5'))).toBe('one');
    const late = r.at(2500);
    expect(late.versions).toEqual({ bots: 1, datacentre: 1 });
    expect(late.botUa('Mozilla/5.0 (Windows NT 10.0) Chrome/124 Zqalpha/1')).toBe(true);
    // The built-in project rules are replaced; isbot still applies.
    expect(late.botUa('Mozilla/5.0 (Windows NT 10.0) Chrome/124 scrapy')).toBe(false);
    expect(late.botUa('Googlebot/2.1')).toBe(true);
  });

  it('reuses the set built for a stretch of time and rebuilds when a version arrives', () => {
    const r = new ReferenceAtTime();
    r.datacentre.put({ version: 1, effectiveFrom: 1000, value: { ranges: [] } });
    const a = r.at(1200);
    expect(r.at(1900)).toBe(a);
    expect(r.at(900)).not.toBe(a);
    expect(r.at(1300)).toBe(a);
    r.datacentre.put({
      version: 2,
      effectiveFrom: 1100,
      value: { ranges: [{ cidr: '198.51.100.0/24', provider: 'two' }] },
    });
    const b = r.at(1300);
    expect(b.versions.datacentre).toBe(2);
    expect(b.datacentre.lookupInt(ip('198.51.100.1'))).toBe('two');
  });
});
