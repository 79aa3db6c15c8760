import { describe, expect, it } from 'vitest';
import type { BlocklistEntry } from '@streambid/contracts';
import { Blocklist, ipv4ToInt } from './blocklist.js';

const entry = (
  kind: BlocklistEntry['kind'],
  value: string,
  expiresAt = 10_000,
): BlocklistEntry => ({
  eventId: `${kind}:${value}`,
  ts: 0,
  kind,
  value,
  score: 1,
  reasons: [],
  expiresAt,
});

describe('Blocklist', () => {
  it('blocks an IP, a subnet, a site, an app, a publisher and a cookie', () => {
    const b = new Blocklist();
    b.apply(entry('ip', '1.2.3.4'));
    b.apply(entry('subnet', '10.1.0.0/16'));
    b.apply(entry('site', 'bad.example'));
    b.apply(entry('app', 'com.bad'));
    b.apply(entry('publisher', 'p9'));
    b.apply(entry('cookie', 'u1'));
    expect(b.match({ ip: '1.2.3.4' }, 0)).toBe('ip');
    expect(b.match({ ip: '10.1.200.3' }, 0)).toBe('subnet');
    expect(b.match({ ip: '10.2.0.1' }, 0)).toBeUndefined();
    expect(b.match({ siteDomain: 'bad.example' }, 0)).toBe('site');
    expect(b.match({ appBundle: 'com.bad' }, 0)).toBe('app');
    expect(b.match({ publisherId: 'p9' }, 0)).toBe('publisher');
    expect(b.match({ userId: 'u1' }, 0)).toBe('cookie');
    expect(b.match({ ip: '5.6.7.8', siteDomain: 'good.example' }, 0)).toBeUndefined();
  });

  it('lets a block lapse at its expiry and lifts it on a tombstone', () => {
    const b = new Blocklist();
    b.apply(entry('ip', '1.2.3.4', 100));
    b.apply(entry('subnet', '10.0.0.0/8'));
    expect(b.match({ ip: '1.2.3.4' }, 99)).toBe('ip');
    expect(b.match({ ip: '1.2.3.4' }, 100)).toBeUndefined();
    b.remove('subnet:10.0.0.0/8');
    expect(b.match({ ip: '10.9.9.9' }, 0)).toBeUndefined();
  });

  it('parses IPv4 strictly', () => {
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToInt('256.1.1.1')).toBeUndefined();
    expect(ipv4ToInt('::1')).toBeUndefined();
  });

  it('blocks a site whatever its case, trailing dot or Unicode spelling, on either side', () => {
    const b = new Blocklist();
    b.apply(entry('site', 'Bad.Example.'));
    b.apply(entry('site', 'xn--bcher-kva.de'));
    for (const d of ['bad.example', 'BAD.example', 'bad.example.', ' bad.example', 'bad。example'])
      expect(b.match({ siteDomain: d }, 0), d).toBe('site');
    expect(b.match({ siteDomain: 'Bücher.de' }, 0)).toBe('site');
    expect(b.match({ siteDomain: 'good.example' }, 0)).toBeUndefined();
  });

  it('blocks an address in every spelling: mapped IPv6, zero padding, IPv6 forms', () => {
    const b = new Blocklist();
    b.apply(entry('ip', '::ffff:198.51.100.9'));
    b.apply(entry('ip', '2001:DB8:0:0:0:0:0:1'));
    for (const ip of ['198.51.100.9', '198.051.100.009', '::FFFF:c633:6409', ' 198.51.100.9'])
      expect(b.match({ ip }, 0), ip).toBe('ip');
    for (const ip of ['2001:db8::1', '2001:0db8::0001', '2001:db8:0:0::1'])
      expect(b.match({ ip }, 0), ip).toBe('ip');
    expect(b.match({ ip: '198.51.100.10' }, 0)).toBeUndefined();
  });

  it('blocks IPv6 subnets and IPv4 subnets reached through a mapped address', () => {
    const b = new Blocklist();
    b.apply(entry('subnet', '2001:db8:aa::/48'));
    b.apply(entry('subnet', '203.0.113.5/24'));
    expect(b.match({ ip: '2001:db8:aa:1::9' }, 0)).toBe('subnet');
    expect(b.match({ ip: '2001:db8:ab::9' }, 0)).toBeUndefined();
    expect(b.match({ ip: '::ffff:203.0.113.200' }, 0)).toBe('subnet');
  });

  it('keeps a live shorter subnet block when a longer one on the same path lapsed', () => {
    const b = new Blocklist();
    b.apply(entry('subnet', '10.0.0.0/8', 1000));
    b.apply(entry('subnet', '10.1.0.0/16', 10));
    expect(b.match({ ip: '10.1.2.3' }, 500)).toBe('subnet');
    expect(b.match({ ip: '10.1.2.3' }, 2000)).toBeUndefined();
  });

  it('trims app bundles and lifts a block on a tombstone written in another spelling', () => {
    const b = new Blocklist();
    b.apply(entry('app', ' com.bad.app '));
    expect(b.match({ appBundle: 'com.bad.app\t' }, 0)).toBe('app');
    b.apply(entry('site', 'bad.example'));
    b.remove('site:BAD.example.');
    expect(b.match({ siteDomain: 'bad.example' }, 0)).toBeUndefined();
    expect(b.size).toBe(1);
  });
});
