import { describe, expect, it } from 'vitest';
import { blocklistEntrySchema } from '@streambid/contracts';
import { ipv4ToInt } from '@streambid/reference-data';
import { blocklistEntries, DEFAULT_BLOCK_POLICY } from './blocklist.js';
import { FeatureExtractor, ipv4Int, isBotUserAgent, subnetOf } from './features.js';
import { formatDuration, progressLine } from './progress.js';
import { combineScore, DEFAULT_RULES, reasonsFor, type ClickEvidence } from './rules.js';

const clean: ClickEvidence = {
  dcProvider: '',
  botUa: false,
  ctitMs: 8000,
  ipClicksInHour: 1,
  subnetClicksInHour: 1,
  subnetIpsInHour: 1,
  cookiesOnIpInDay: 2,
  cookieClicksInDay: 1,
  placementCtrOutlier: false,
  hasImpression: true,
};

describe('click features', () => {
  it('recognises crawlers, scripts and missing agents but not browsers', () => {
    expect(isBotUserAgent('python-requests/2.31.0')).toBe(true);
    expect(isBotUserAgent('Mozilla/5.0 (compatible; Googlebot/2.1)')).toBe(true);
    expect(isBotUserAgent('Mozilla/5.0 HeadlessChrome/124')).toBe(true);
    expect(isBotUserAgent(undefined)).toBe(true);
    expect(
      isBotUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1'),
    ).toBe(false);
  });

  it('reads IPv4 addresses exactly as the traffic package does', () => {
    const probes = [
      '1.2.3.4',
      '255.255.255.255',
      '0.0.0.0',
      '010.1.2.3',
      '1.2.3.256',
      '1.2.3',
      '1.2.3.4.5',
      '1..3.4',
      '.1.2.3',
      '1.2.3.',
      '1.2.3.4 ',
      '1.2.3.0004',
      '2001:db8::1',
      '',
      'a.b.c.d',
      '1.2.3.-4',
      '١.2.3.4',
    ];
    for (const ip of probes) expect(ipv4Int(ip), ip).toBe(ipv4ToInt(ip) ?? -1);
  });

  it('derives the /24, the data-centre provider and the click-to-impression time', () => {
    expect(subnetOf('81.2.69.142')).toBe('81.2.69.0/24');
    expect(subnetOf('2001:db8::1')).toBe('2001:db8::1');
    const f = new FeatureExtractor();
    const src = { topic: 'clicks', partition: 3, offset: '42' };
    const base = {
      eventId: 'e',
      ts: 10_000,
      region: 'eu' as const,
      bidId: 'b',
      campaignId: 'c',
      creativeId: 'cr',
    };
    const row = f.click(
      { ...base, impressionTs: 9_700, ip: '3.80.0.9', ua: 'curl/8.5.0', siteDomain: 's.com' },
      src,
    );
    expect(row).toMatchObject({
      ctit_ms: 300,
      dc_provider: 'aws',
      bot_ua: 1,
      subnet: '3.80.0.0/24',
      inventory: 's.com',
      is_app: 0,
      ts: 10,
      src_offset: '42',
      src_partition: 3,
    });
    // A bare `Mozilla/5.0` is a bot to isbot (no browser sends it): a whole browser agent here.
    const browser = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1';
    const unknown = f.click({ ...base, appBundle: 'com.x', ua: browser }, src);
    expect(unknown).toMatchObject({
      ctit_ms: -1,
      dc_provider: '',
      bot_ua: 0,
      inventory: 'com.x',
      is_app: 1,
    });
  });
});

describe('scoring rules', () => {
  it('gives clean clicks no reasons and a zero score', () => {
    expect(reasonsFor(clean)).toEqual([]);
    expect(combineScore([])).toBe(0);
  });

  it('names each piece of evidence and one strong reason crosses the invalid line', () => {
    expect(reasonsFor({ ...clean, ctitMs: 200 })).toEqual(['click_injection']);
    expect(reasonsFor({ ...clean, ctitMs: -1 })).toEqual([]);
    expect(reasonsFor({ ...clean, dcProvider: 'aws', hasImpression: false })).toEqual([
      'datacenter_ip',
      'no_impression',
    ]);
    expect(reasonsFor({ ...clean, subnetClicksInHour: 80, subnetIpsInHour: 2 })).toEqual([]);
    expect(reasonsFor({ ...clean, subnetClicksInHour: 80, subnetIpsInHour: 20 })).toEqual([
      'subnet_burst',
    ]);
    for (const r of reasonsFor({
      ...clean,
      botUa: true,
      ipClicksInHour: 40,
      cookiesOnIpInDay: 30,
      cookieClicksInDay: 30,
      placementCtrOutlier: true,
    }))
      expect(combineScore([r])).toBeGreaterThanOrEqual(DEFAULT_RULES.invalidScore);
  });

  it('combines reasons as 1 − Π(1 − w) and counts a repeated reason once', () => {
    expect(combineScore(['ip_burst', 'subnet_burst'])).toBeCloseTo(1 - 0.2 * 0.3, 10);
    expect(combineScore(['ip_burst', 'ip_burst'])).toBeCloseTo(0.8, 10);
  });
});

describe('blocklist policy', () => {
  it('blocks entities over the invalid share with enough clicks, with expiry and valid entries', () => {
    const now = 1_700_000_000_000;
    const entries = blocklistEntries(
      [
        {
          kind: 'site',
          value: 'farm.example',
          clicks: 300,
          invalidClicks: 290,
          reasons: ['ctr_outlier', 'ctr_outlier'],
        },
        {
          kind: 'site',
          value: 'news.example',
          clicks: 300,
          invalidClicks: 30,
          reasons: ['bot_ua'],
        },
        { kind: 'ip', value: '1.2.3.4', clicks: 2, invalidClicks: 2, reasons: ['ip_burst'] },
      ],
      now,
    );
    expect(entries).toHaveLength(1);
    const e = entries[0];
    expect(e).toMatchObject({
      kind: 'site',
      value: 'farm.example',
      reasons: ['ctr_outlier'],
      expiresAt: now + DEFAULT_BLOCK_POLICY.ttlMs,
    });
    expect(e?.score).toBeCloseTo(0.967, 3);
    expect(blocklistEntrySchema.safeParse(e).success).toBe(true);
  });
});

describe('progress line', () => {
  it('shows events, rate and ETA, and a follow variant without a total', () => {
    const line = progressLine({ read: 50_000, total: 100_000, written: 49_000, elapsedMs: 1000 });
    expect(line).toContain('50.0%');
    expect(line).toContain('50,000/100,000 events');
    expect(line).toContain('50,000 ev/s');
    expect(line).toContain('ETA 1s');
    expect(progressLine({ read: 10, total: null, written: 10, elapsedMs: 1000 })).toMatch(
      /^follow 10 events/,
    );
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });
});
