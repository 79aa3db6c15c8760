import { describe, expect, it } from 'vitest';
import { counterDelta, regionLive, targetWindow, type Scrape } from './live-metrics.js';
import { parsePrometheusText } from './prom-text.js';

/** A bidder's /metrics as prom-client writes it, with the given totals. */
function bidderText(o: {
  ok: number;
  nobid: number;
  bids: number;
  wins: number;
  /** Cumulative latency buckets at 1 ms, 5 ms, +Inf. */
  lat: [number, number, number];
  lagCount?: number;
  lagLast?: number;
  blocklist?: number;
}): string {
  const l = 'service="bidder",region="us"';
  return [
    '# TYPE bidder_requests_total counter',
    `bidder_requests_total{code="200",${l}} ${String(o.ok)}`,
    `bidder_requests_total{code="204",${l}} ${String(o.nobid)}`,
    `bidder_bids_total{${l}} ${String(o.bids)}`,
    `bidder_tracker_requests_total{kind="win",outcome="won",${l}} ${String(o.wins)}`,
    `bidder_tracker_requests_total{kind="win",outcome="unknown",${l}} 99`,
    `bidder_request_duration_seconds_bucket{le="0.001",${l}} ${String(o.lat[0])}`,
    `bidder_request_duration_seconds_bucket{le="0.005",${l}} ${String(o.lat[1])}`,
    `bidder_request_duration_seconds_bucket{le="+Inf",${l}} ${String(o.lat[2])}`,
    ...(o.blocklist === undefined ? [] : [`bidder_blocklist_entries{${l}} ${String(o.blocklist)}`]),
    ...(o.lagCount === undefined
      ? []
      : [
          `streambid_replication_lag_seconds_bucket{topic="eu.ns-spend",source_region="eu",le="0.1",${l}} ${String(o.lagCount)}`,
          `streambid_replication_lag_seconds_bucket{topic="eu.ns-spend",source_region="eu",le="+Inf",${l}} ${String(o.lagCount)}`,
          `streambid_replication_lag_last_seconds{topic="eu.ns-spend",source_region="eu",${l}} ${String(o.lagLast ?? 0)}`,
        ]),
  ].join('\n');
}

const at = (atMs: number, text: string): Scrape => ({
  atMs,
  index: parsePrometheusText(text).index,
});

describe('live figures from two scrapes', () => {
  it('turns counter increases over a second into QPS, bid rate, win rate and latency quantiles', () => {
    const prev = at(
      1000,
      bidderText({ ok: 100, nobid: 100, bids: 100, wins: 10, lat: [100, 190, 200] }),
    );
    const cur = at(
      2000,
      bidderText({ ok: 180, nobid: 220, bids: 180, wins: 30, lat: [290, 390, 400], blocklist: 21 }),
    );
    const live = regionLive([targetWindow(prev, cur)]);
    expect(live.qps).toBe(200);
    expect(live.bidRate).toBeCloseTo(80 / 200, 9);
    expect(live.winRate).toBeCloseTo(20 / 80, 9);
    // 200 new requests: 190 within 1 ms, 10 in (1, 5] ms.
    expect(live.p50Ms).toBeCloseTo(100 / 190, 3);
    expect(live.p99Ms).toBeCloseTo(1 + (4 * 8) / 10, 6);
    expect(live.blocklistEntries).toBe(21);
  });

  it('divides by the time between the scrapes, not by one second', () => {
    const prev = at(0, bidderText({ ok: 0, nobid: 0, bids: 0, wins: 0, lat: [0, 0, 0] }));
    const cur = at(
      2000,
      bidderText({ ok: 100, nobid: 0, bids: 100, wins: 0, lat: [100, 100, 100] }),
    );
    expect(regionLive([targetWindow(prev, cur)]).qps).toBe(50);
  });

  it('adds the rates of every service of a region and reads no rate without traffic', () => {
    const idle = bidderText({ ok: 5, nobid: 5, bids: 5, wins: 0, lat: [10, 10, 10] });
    const w = targetWindow(at(0, idle), at(1000, idle));
    const live = regionLive([w, w]);
    expect(live.qps).toBe(0);
    expect(live.bidRate).toBeNull();
    expect(live.winRate).toBeNull();
    expect(live.p99Ms).toBeNull();
    expect(regionLive([]).blocklistEntries).toBeNull();
  });

  it('reports replication lag per remote topic: the latest value and the p99 of the second', () => {
    const base = { ok: 0, nobid: 0, bids: 0, wins: 0, lat: [0, 0, 0] as [number, number, number] };
    const prev = at(0, bidderText({ ...base, lagCount: 10, lagLast: 0.02 }));
    const cur = at(1000, bidderText({ ...base, lagCount: 15, lagLast: 0.04 }));
    expect(regionLive([targetWindow(prev, cur)]).replication).toEqual([
      { topic: 'eu.ns-spend', sourceRegion: 'eu', lastMs: 40, p99Ms: 99, messages: 5 },
    ]);
  });

  it('takes a counter that went down as reset by a restart', () => {
    expect(counterDelta(10, 25)).toBe(15);
    expect(counterDelta(500, 20)).toBe(20);
  });
});
