import { describe, expect, it } from 'vitest';
import type { BidRequest } from '@streambid/contracts';
import { Blocklist } from './blocklist.js';
import { requestFacts } from './matching.js';
import { everyPrebid, flaggedPrice, PrebidFilter, type PrebidActions } from './prebid.js';
import { ChainStatus } from './schain.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

const web = (device: NonNullable<BidRequest['device']>): BidRequest => ({
  id: 'r',
  imp: [{ id: '1', banner: { w: 300, h: 250 } }],
  site: { domain: 'news.example' },
  device,
});

function verdict(
  req: BidRequest,
  actions: PrebidActions = everyPrebid('nobid'),
  chain: ChainStatus = ChainStatus.absent,
) {
  const f = new PrebidFilter(actions, new Blocklist());
  const v = f.check(req, requestFacts(req, chain), chain, undefined, 0);
  return { reason: v.reason, action: v.action };
}

describe('pre-bid filter', () => {
  it('passes a browser on a residential address', () => {
    expect(verdict(web({ ua: CHROME, ip: '203.0.113.7' })).reason).toBeUndefined();
  });

  it('refuses data-centre addresses in IPv4, IPv6 and mapped spellings', () => {
    for (const device of [
      { ua: CHROME, ip: '3.80.1.2' },
      { ua: CHROME, ip: '::ffff:3.80.1.2' },
      { ua: CHROME, ipv6: '2600:1F18::1' },
      { ua: CHROME, ip: '203.0.113.7', ipv6: '2a01:4f8::9' },
    ])
      expect(verdict(web(device)), JSON.stringify(device)).toEqual({
        reason: 'datacentre',
        action: 'nobid',
      });
  });

  it('refuses an address that is no address', () => {
    expect(verdict(web({ ua: CHROME, ip: '0x7f.1' })).reason).toBe('invalid_ip');
    expect(verdict(web({ ua: CHROME, ipv6: 'fe80::1%eth0' })).reason).toBe('invalid_ip');
  });

  it('refuses declared bots everywhere and non-browsers only on web inventory', () => {
    expect(verdict(web({ ua: 'Mozilla/5.0 (compatible; Googlebot/2.1)' })).reason).toBe('bot_ua');
    expect(verdict(web({ ua: 'Roku/DVP-12.5' })).reason).toBe('non_browser');
    const { site: _site, ...rest } = web({ ua: 'Roku/DVP-12.5' });
    const app: BidRequest = { ...rest, app: { bundle: 'com.a' } };
    expect(verdict(app).reason).toBeUndefined();
    expect(verdict(web({})).reason).toBeUndefined(); // no user agent: not judged
  });

  it('decides by the first reason that refuses, else the first flagged one', () => {
    const req = web({ ua: 'curl/8.5.0', ip: '3.80.1.2' });
    expect(verdict(req, { ...everyPrebid('nobid'), datacentre: 'flag' })).toEqual({
      reason: 'bot_ua',
      action: 'nobid',
    });
    expect(verdict(req, everyPrebid('flag'))).toEqual({ reason: 'datacentre', action: 'flag' });
    expect(verdict(req, { ...everyPrebid('off'), bot_ua: 'flag' })).toEqual({
      reason: 'bot_ua',
      action: 'flag',
    });
    expect(verdict(req, everyPrebid('off')).reason).toBeUndefined();
  });

  it('refuses a malformed supply chain and an unknown seller as their own reasons', () => {
    const req = web({ ua: CHROME });
    expect(verdict(req, everyPrebid('nobid'), ChainStatus.invalid).reason).toBe('schain_invalid');
    expect(verdict(req, everyPrebid('nobid'), ChainStatus.unknownSeller).reason).toBe(
      'seller_unknown',
    );
    expect(verdict(req, everyPrebid('nobid'), ChainStatus.incomplete).reason).toBeUndefined();
  });

  it('prices a flagged bid at its share of the price, never under the floor', () => {
    expect(flaggedPrice(2_000_000, 0, 0.1)).toBe(200_000);
    expect(flaggedPrice(2_000_000, 500_000, 0.1)).toBe(500_000);
  });
});
