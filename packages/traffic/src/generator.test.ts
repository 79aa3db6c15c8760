import { describe, expect, it } from 'vitest';
import { clickSchema, impressionSchema } from '@streambid/contracts';
import { DataCentreIndex, cidrBounds, intToIpv4, ipv4ToInt } from '@streambid/reference-data';
import { BOT_PATTERNS, generateTraffic } from './generator.js';

const opts = {
  seed: 7,
  startTs: Date.UTC(2024, 4, 1, 10),
  humanImpressions: 5000,
  humanCtr: 0.05,
  bots: Object.fromEntries(BOT_PATTERNS.map((p) => [p, 60])),
};

describe('generateTraffic', () => {
  it('produces the same events for the same seed and different ones for another seed', () => {
    expect(generateTraffic(opts)).toEqual(generateTraffic(opts));
    expect(generateTraffic({ ...opts, seed: 8 }).clicks[0]).not.toEqual(
      generateTraffic(opts).clicks[0],
    );
  });

  it('emits schema-valid events in event-time order inside the window', () => {
    const t = generateTraffic(opts);
    for (const { event } of t.impressions)
      expect(impressionSchema.safeParse(event).success).toBe(true);
    for (const { event } of t.clicks) expect(clickSchema.safeParse(event).success).toBe(true);
    const ts = t.clicks.map((c) => c.event.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(opts.startTs);
    expect(Math.max(...ts)).toBeLessThan(opts.startTs + 3_600_000);
  });

  it('labels every pattern with about the requested number of clicks', () => {
    const t = generateTraffic(opts);
    for (const p of BOT_PATTERNS) expect(t.clicks.filter((c) => c.label === p).length).toBe(60);
    const humans = t.clicks.filter((c) => c.label === 'human').length;
    expect(humans).toBeGreaterThan(150);
    expect(humans).toBeLessThan(350);
  });

  it('gives each pattern its signature', () => {
    const t = generateTraffic(opts);
    const dc = new DataCentreIndex();
    const of = (label: string) => t.clicks.filter((c) => c.label === label).map((c) => c.event);
    for (const c of of('datacentre')) expect(dc.lookup(c.ip ?? '')).not.toBeNull();
    for (const c of of('human')) expect(dc.lookup(c.ip ?? '')).toBeNull();
    for (const c of of('injection')) expect(c.ts - (c.impressionTs ?? 0)).toBeLessThan(1000);
    for (const c of of('human')) expect(c.ts - (c.impressionTs ?? 0)).toBeGreaterThanOrEqual(2500);
    const bids = new Set(t.impressions.map((i) => i.event.bidId));
    for (const c of of('no_impression')) expect(bids.has(c.bidId)).toBe(false);
    for (const c of of('human')) expect(bids.has(c.bidId)).toBe(true);
    expect(new Set(of('click_farm').map((c) => c.siteDomain))).toEqual(new Set([t.farmSite]));
    expect(of('human').some((c) => c.siteDomain === t.farmSite)).toBe(false);
    const stuffedIps = new Set(of('cookie_stuffing').map((c) => c.ip));
    expect(stuffedIps.size).toBeLessThanOrEqual(2);
  });
});

describe('data-centre ranges', () => {
  it('parses addresses and CIDRs and finds the provider of an address', () => {
    expect(ipv4ToInt('1.2.3.4')).toBe(16_909_060);
    expect(ipv4ToInt('1.2.3')).toBeNull();
    expect(ipv4ToInt('::1')).toBeNull();
    expect(ipv4ToInt('256.1.1.1')).toBeNull();
    expect(intToIpv4(16_909_060)).toBe('1.2.3.4');
    expect(cidrBounds('10.0.0.0/8')).toEqual({ start: 167_772_160, end: 184_549_375 });
    const dc = new DataCentreIndex();
    expect(dc.lookup('3.80.1.1')).toBe('aws');
    expect(dc.lookup('88.198.10.10')).toBe('hetzner');
    expect(dc.lookup('81.2.69.142')).toBeNull();
    expect(dc.lookup('not an ip')).toBeNull();
  });
});
