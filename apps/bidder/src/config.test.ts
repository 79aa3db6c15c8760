import { describe, expect, it } from 'vitest';
import { ConfigError } from '@streambid/adapters';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_TRACKING_SECRET, loadBidderConfig, prebidActions, trackingKeys } from './config.js';

describe('bidder configuration', () => {
  it('refuses to start without a tracking secret, naming the variable', () => {
    expect(() => loadBidderConfig({})).toThrow(ConfigError);
    expect(() => loadBidderConfig({})).toThrow(/BIDDER_TRACKING_SECRET/);
  });

  it('refuses the published development key unless development mode is set', () => {
    expect(() => loadBidderConfig({ BIDDER_TRACKING_SECRET: DEV_TRACKING_SECRET })).toThrow(
      /BIDDER_TRACKING_SECRET/,
    );
    const dev = loadBidderConfig({ BIDDER_DEV_MODE: 'true' });
    expect(trackingKeys(dev).current.secret).toBe(DEV_TRACKING_SECRET);
  });

  it('signs with its own secret and accepts rotated keys until their end', () => {
    const cfg = loadBidderConfig({
      BIDDER_TRACKING_SECRET: 'production-secret-123',
      BIDDER_TRACKING_KEY_ID: 'k2',
      BIDDER_TRACKING_PREVIOUS_KEYS: 'k1:the-old-secret-of-16@2026-12-31T00:00:00Z',
    });
    expect(trackingKeys(cfg)).toEqual({
      current: { id: 'k2', secret: 'production-secret-123' },
      previous: [
        {
          id: 'k1',
          secret: 'the-old-secret-of-16',
          acceptUntil: Date.parse('2026-12-31T00:00:00Z'),
        },
      ],
    });
    expect(() =>
      loadBidderConfig({ BIDDER_DEV_MODE: 'true', BIDDER_TRACKING_PREVIOUS_KEYS: 'k1:short' }),
    ).toThrow(/BIDDER_TRACKING_PREVIOUS_KEYS/);
  });

  it('knows which notice each exchange bills on (the default exchange on burl)', () => {
    const cfg = loadBidderConfig({ BIDDER_DEV_MODE: 'true', BIDDER_EXCHANGES: 'ssp-a:nurl,ssp-b' });
    expect(cfg.BIDDER_EXCHANGES.get('default')?.billOn).toBe('burl');
    expect(cfg.BIDDER_EXCHANGES.get('ssp-a')?.billOn).toBe('nurl');
    expect(cfg.BIDDER_EXCHANGES.get('ssp-b')?.billOn).toBe('burl');
    expect(() => loadBidderConfig({ BIDDER_DEV_MODE: 'true', BIDDER_EXCHANGES: 'x:lurl' })).toThrow(
      /BIDDER_EXCHANGES/,
    );
  });

  it('reads each pre-bid reason as no bid, flag or off, no bid by default', () => {
    const cfg = loadBidderConfig({
      BIDDER_DEV_MODE: 'true',
      BIDDER_PREBID_DATACENTRE: 'flag',
      BIDDER_PREBID_NON_BROWSER: 'off',
    });
    expect(prebidActions(cfg)).toMatchObject({
      blocked: 'nobid',
      bot_ua: 'nobid',
      datacentre: 'flag',
      non_browser: 'off',
    });
    expect(() =>
      loadBidderConfig({ BIDDER_DEV_MODE: 'true', BIDDER_PREBID_BOT_UA: 'maybe' }),
    ).toThrow(/BIDDER_PREBID_BOT_UA/);
  });

  it('loads sellers.json files per ad system and names the variable and file of a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sellers-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(
      good,
      JSON.stringify({ version: '1.0', sellers: [{ seller_id: 'p1', seller_type: 'publisher' }] }),
    );
    writeFileSync(bad, JSON.stringify({ sellers: [{ seller_id: 'p1', seller_type: 'RESELLER' }] }));
    const cfg = loadBidderConfig({
      BIDDER_DEV_MODE: 'true',
      BIDDER_SELLERS_JSON: `ssp.example=${good}`,
    });
    expect(cfg.BIDDER_SELLERS_JSON?.seller('ssp.example', 'p1')).toBe('PUBLISHER');
    expect(cfg.BIDDER_SELLERS_JSON?.seller('ssp.example', 'p2')).toBeNull();
    const load = (v: string) => () =>
      loadBidderConfig({ BIDDER_DEV_MODE: 'true', BIDDER_SELLERS_JSON: v });
    expect(load(`ssp.example=${bad}`)).toThrow(/BIDDER_SELLERS_JSON.*bad\.json.*seller_type/s);
    expect(load(`ssp.example=${join(dir, 'missing.json')}`)).toThrow(
      /BIDDER_SELLERS_JSON.*cannot read/s,
    );
    expect(load(good)).toThrow(/BIDDER_SELLERS_JSON.*asi=path/s);
  });
});
