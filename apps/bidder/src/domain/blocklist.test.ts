import { describe, expect, it } from 'vitest';
import type { BlocklistEntry } from '@streambid/contracts';
import { Blocklist, ipv4ToInt, parseCidr } from './blocklist.js';

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

  it('parses IPv4 and CIDR strictly', () => {
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToInt('256.1.1.1')).toBeUndefined();
    expect(ipv4ToInt('::1')).toBeUndefined();
    expect(parseCidr('10.1.2.3/24')).toEqual({ network: ipv4ToInt('10.1.2.0'), bits: 24 });
    expect(parseCidr('10.1.2.3/33')).toBeUndefined();
  });
});
