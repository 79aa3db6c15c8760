import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prom-text.js';
import { History, SnapshotBuilder, type ScrapeResult, type Target } from './snapshot.js';
import { StreamView } from './stream-view.js';

const eu: Target = { region: 'eu', service: 'bidder', url: 'http://127.0.0.1:8080' };
const us: Target = { region: 'us', service: 'bidder', url: 'http://127.0.0.1:8180' };

const ok = (target: Target, atMs: number, requests: number): ScrapeResult => ({
  target,
  ok: true,
  scrape: {
    atMs,
    index: parsePrometheusText(`bidder_requests_total{code="200"} ${String(requests)}`).index,
  },
});

describe('the per-second snapshot', () => {
  it('gives each region the rate since its previous scrape, zero on the first', () => {
    const b = new SnapshotBuilder(['eu', 'us']);
    const view = new StreamView();
    const first = b.build(1000, [ok(eu, 1000, 100), ok(us, 1000, 50)], view);
    expect(first.regions.map((r) => [r.region, r.qps])).toEqual([
      ['eu', 0],
      ['us', 0],
    ]);
    const second = b.build(2000, [ok(eu, 2000, 300), ok(us, 2000, 80)], view);
    expect(second.regions.map((r) => [r.region, r.qps])).toEqual([
      ['eu', 200],
      ['us', 30],
    ]);
  });

  it('marks a service that did not answer as down and measures across the gap when it returns', () => {
    const b = new SnapshotBuilder(['eu']);
    const view = new StreamView();
    b.build(0, [ok(eu, 0, 0)], view);
    const gap = b.build(1000, [{ target: eu, ok: false, error: 'ECONNREFUSED' }], view);
    expect(gap.regions[0]?.targets).toEqual([
      { service: 'bidder', url: eu.url, up: false, error: 'ECONNREFUSED' },
    ]);
    expect(gap.regions[0]?.qps).toBe(0);
    const back = b.build(2000, [ok(eu, 2000, 400)], view);
    expect(back.regions[0]?.qps).toBe(200);
    expect(back.regions[0]?.targets[0]?.up).toBe(true);
  });

  it('keeps the latest snapshots up to its capacity, oldest first', () => {
    const h = new History(2);
    for (const ts of [1, 2, 3]) h.push({ ts, regions: [] });
    expect(h.all().map((s) => s.ts)).toEqual([2, 3]);
  });
});
