import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IpPrefixIndex } from './ip-index.js';
import { DataCentreIndex, DATACENTRE_RANGES, cidrBounds, intToIpv4 } from './datacentre.js';

describe('IP prefix index', () => {
  it('answers the longest matching prefix for IPv4 and IPv6', () => {
    const ix = new IpPrefixIndex<string>();
    ix.set('10.0.0.0/8', 'wide');
    ix.set('10.1.0.0/16', 'narrow');
    ix.set('2001:db8::/32', 'v6');
    ix.set('2001:db8:1::/48', 'v6-narrow');
    expect(ix.lookup('10.2.3.4')).toBe('wide');
    expect(ix.lookup('10.1.3.4')).toBe('narrow');
    expect(ix.lookup('11.0.0.1')).toBeUndefined();
    expect(ix.lookup('2001:db8:2::1')).toBe('v6');
    expect(ix.lookup('2001:0DB8:0001:0:0:0:0:9')).toBe('v6-narrow');
    expect(ix.lookup('2001:db9::1')).toBeUndefined();
    expect(ix.size).toBe(4);
  });

  it('looks up IPv4-mapped IPv6 addresses as IPv4', () => {
    const ix = new IpPrefixIndex<number>();
    ix.set('192.0.2.0/24', 1);
    expect(ix.lookup('::ffff:192.0.2.55')).toBe(1);
    expect(ix.lookup('::FFFF:c000:0237')).toBe(1);
  });

  it('forgets a deleted prefix and finds a shorter live one with find', () => {
    const ix = new IpPrefixIndex<number>();
    ix.set('10.0.0.0/8', 5);
    ix.set('10.1.0.0/16', 1);
    expect(ix.find('10.1.2.3', (v) => v > 2)).toBe(5);
    expect(ix.delete('10.0.0.0/8')).toBe(true);
    expect(ix.find('10.1.2.3', (v) => v > 2)).toBeUndefined();
    expect(ix.lookup('10.1.2.3')).toBe(1);
    expect(ix.delete('10.0.0.0/8')).toBe(false);
    expect(ix.size).toBe(1);
  });

  it('refuses malformed prefixes and never matches text that is no address', () => {
    const ix = new IpPrefixIndex<number>();
    expect(ix.set('10.0.0.0/40', 1)).toBe(false);
    expect(ix.set('nope', 1)).toBe(false);
    ix.set('0.0.0.0/0', 1);
    expect(ix.lookup('not an ip')).toBeUndefined();
    expect(ix.lookup('8.8.8.8')).toBe(1);
  });

  it('agrees with a range scan of the data-centre list on random addresses', () => {
    const dc = new DataCentreIndex();
    const ranges = DATACENTRE_RANGES.map((r) => ({ ...cidrBounds(r.cidr), p: r.provider }));
    fc.assert(
      fc.property(fc.nat(0xffffffff), (n) => {
        const want = ranges.find((r) => n >= r.start && n <= r.end)?.p ?? null;
        expect(dc.lookupInt(n)).toBe(want);
        expect(dc.lookup(intToIpv4(n))).toBe(want);
      }),
      { numRuns: 2000 },
    );
    for (const r of ranges) expect(dc.lookupInt(r.start)).toBe(r.p);
  });

  it('knows the providers’ IPv6 allocations', () => {
    const dc = new DataCentreIndex();
    expect(dc.lookup('2600:1f18:abcd::1')).toBe('aws');
    expect(dc.lookup('2a01:4f8:c0c:1234::2')).toBe('hetzner');
    expect(dc.lookup('2001:4860::1')).toBeNull(); // Google's own network, not its cloud
  });
});
