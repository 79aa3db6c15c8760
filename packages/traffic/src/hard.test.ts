import { describe, expect, it } from 'vitest';
import { clickSchema, impressionSchema } from '@streambid/contracts';
import { DataCentreIndex, prebidReason, UserAgentClassifier } from '@streambid/reference-data';
import { BOT_PATTERNS, HARD_BOT_PATTERNS, type TrafficLabel } from './classes.js';
import { generateTraffic, type TrafficOptions } from './generator.js';
import { DELAYED_INJECTION_MS, LOW_AND_SLOW_MAX_CLICKS_PER_IP } from './hard.js';

const base: TrafficOptions = {
  seed: 11,
  startTs: Date.UTC(2024, 4, 1, 10),
  humanImpressions: 20_000,
  humanCtr: 0.03,
  humanTiming: 'realistic',
  bots: Object.fromEntries([...BOT_PATTERNS, ...HARD_BOT_PATTERNS].map((p) => [p, 300])),
};
const t = generateTraffic(base);
const dc = new DataCentreIndex();
const lookups = { datacentre: dc, userAgents: new UserAgentClassifier() };
const clicksOf = (label: TrafficLabel) =>
  t.clicks.filter((c) => c.label === label).map((c) => c.event);
const ctit = (c: { ts: number; impressionTs?: number | undefined }): number =>
  c.ts - (c.impressionTs ?? Number.NaN);
const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? Number.NaN;

describe('hard bot classes', () => {
  it('leaves a mix without them exactly as it was', () => {
    const easy = {
      ...base,
      humanTiming: 'legacy' as const,
      bots: { datacentre: 50, injection: 50 },
    };
    const withZeros = {
      ...easy,
      bots: { ...easy.bots, ...Object.fromEntries(HARD_BOT_PATTERNS.map((p) => [p, 0])) },
    };
    expect(generateTraffic(withZeros)).toEqual(generateTraffic(easy));
  });

  it('emits schema-valid events with about the requested clicks per class', () => {
    for (const p of HARD_BOT_PATTERNS) expect(clicksOf(p).length, p).toBe(300);
    for (const { event } of t.impressions)
      expect(impressionSchema.safeParse(event).success).toBe(true);
    for (const { event } of t.clicks) expect(clickSchema.safeParse(event).success).toBe(true);
  });

  it('sends every hard class with browser agents from non-data-centre addresses, so nothing is refused before the bid', () => {
    for (const p of HARD_BOT_PATTERNS)
      for (const c of clicksOf(p)) {
        expect(lookups.userAgents.classify(c.ua), p).toBe('browser');
        expect(dc.lookup(c.ip ?? ''), p).toBeNull();
        expect(prebidReason({ ip: c.ip, ua: c.ua, web: true }, lookups), p).toBeUndefined();
      }
  });

  it('gives residential-proxy bots fresh cookies, rotating addresses and human click timing', () => {
    const rp = clicksOf('residential_proxy');
    expect(new Set(rp.map((c) => c.userId)).size).toBe(rp.length);
    expect(new Set(rp.map((c) => c.ip)).size).toBeGreaterThan(0.75 * rp.length);
    const human = clicksOf('human').map(ctit);
    const bot = rp.map(ctit);
    // Same timing distribution as people: medians within 25 %, no click faster than people's.
    expect(Math.abs(quantile(bot, 0.5) / quantile(human, 0.5) - 1)).toBeLessThan(0.25);
    expect(Math.min(...bot)).toBeGreaterThanOrEqual(300);
    // It drains two campaigns.
    expect(new Set(rp.map((c) => c.campaignId)).size).toBeLessThanOrEqual(2);
  });

  it('spreads low-and-slow spam over many addresses and subnets, a few clicks each', () => {
    const ls = clicksOf('low_and_slow');
    const perIp = new Map<string, number>();
    for (const c of ls) perIp.set(c.ip ?? '', (perIp.get(c.ip ?? '') ?? 0) + 1);
    expect(perIp.size).toBeGreaterThanOrEqual(100);
    expect(Math.max(...perIp.values())).toBeLessThanOrEqual(LOW_AND_SLOW_MAX_CLICKS_PER_IP);
    const subnets = new Set(ls.map((c) => (c.ip ?? '').split('.').slice(0, 3).join('.')));
    expect(subnets.size).toBeGreaterThanOrEqual(0.9 * perIp.size);
    // Across the window, not in a burst: the busiest hour holds well under half of it.
    const hours = new Map<number, number>();
    for (const c of ls) {
      const h = Math.floor((c.ts - base.startTs) / 600_000);
      hours.set(h, (hours.get(h) ?? 0) + 1);
    }
    expect(Math.max(...hours.values())).toBeLessThan(0.3 * ls.length);
  });

  it('stuffs many cookies through one device and shares its carrier address with people', () => {
    const ds = clicksOf('device_stuffing');
    const perDevice = new Map<string, Set<string>>();
    for (const c of ds) {
      const key = `${c.ua ?? ''}|${c.ip ?? ''}`;
      const s = perDevice.get(key) ?? new Set<string>();
      s.add(c.userId ?? '');
      perDevice.set(key, s);
    }
    const sizes = [...perDevice.values()].map((s) => s.size);
    // A device's 20–40 identities split over its home and carrier address.
    expect(quantile(sizes, 0.5)).toBeGreaterThanOrEqual(8);
    expect(new Set(ds.map((c) => c.userId)).size).toBe(ds.length);
    const humanIps = new Set(clicksOf('human').map((c) => c.ip));
    const peopleIps = new Set(
      t.impressions.filter((i) => i.label === 'human').map((i) => i.event.ip),
    );
    expect(ds.some((c) => peopleIps.has(c.ip) || humanIps.has(c.ip))).toBe(true);
  });

  it('injects clicks one to six seconds after the impression, inside the range of quick people', () => {
    const di = clicksOf('delayed_injection').map(ctit);
    expect(Math.min(...di)).toBeGreaterThanOrEqual(DELAYED_INJECTION_MS.min);
    expect(Math.max(...di)).toBeLessThan(DELAYED_INJECTION_MS.max);
    const human = clicksOf('human').map(ctit);
    const quick = human.filter((x) => x < DELAYED_INJECTION_MS.max).length / human.length;
    expect(quick).toBeGreaterThan(0.05);
    expect(quick).toBeLessThan(0.35);
  });
});

describe('label noise', () => {
  it('flips about the configured share of labels and keeps the true label and the events', () => {
    const noisy = generateTraffic({ ...base, labelNoise: 0.05 });
    expect(noisy.clicks.map((c) => c.event)).toEqual(t.clicks.map((c) => c.event));
    expect(noisy.clicks.map((c) => c.label)).toEqual(t.clicks.map((c) => c.label));
    const flipped = noisy.clicks.filter((c) => c.noisyLabel !== c.label);
    const share = flipped.length / noisy.clicks.length;
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.06);
    expect(noisy.labelNoise).toEqual({
      share: 0.05,
      flippedClicks: flipped.length,
      flippedImpressions: noisy.impressions.filter((i) => i.noisyLabel !== i.label).length,
    });
    // Both directions: people marked as bots and bots marked as people.
    expect(flipped.some((c) => c.label === 'human' && c.noisyLabel !== 'human')).toBe(true);
    expect(flipped.some((c) => c.label !== 'human' && c.noisyLabel === 'human')).toBe(true);
  });

  it('is off by default and refuses a share outside [0, 1]', () => {
    expect(t.clicks.every((c) => c.noisyLabel === c.label)).toBe(true);
    expect(t.labelNoise.flippedClicks).toBe(0);
    expect(() => generateTraffic({ ...base, labelNoise: 1.5 })).toThrow(RangeError);
  });
});
