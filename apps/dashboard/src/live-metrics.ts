/**
 * From two scrapes of a service's `/metrics` a second apart to what it did in that second, and
 * from those of every service of a region to the region's live figures: QPS, bid rate, win
 * rate, p50/p99 latency, blocklist size, replication lag per remote topic. Pure.
 */
import { logicalTopicName } from '@streambid/contracts';
import { addBuckets, bucketDelta, histogramOf, quantileOf, type Bucket } from './buckets.js';
import { maxOf, sumOf, type MetricIndex, type Sample } from './prom-text.js';

/** The series the dashboard reads, as the services name them. */
export const SERIES = {
  requests: 'bidder_requests_total',
  bids: 'bidder_bids_total',
  trackers: 'bidder_tracker_requests_total',
  latency: 'bidder_request_duration_seconds',
  blocklist: 'bidder_blocklist_entries',
  lag: 'streambid_replication_lag_seconds',
  lagLast: 'streambid_replication_lag_last_seconds',
} as const;

/** One scrape of one service. */
export interface Scrape {
  atMs: number;
  index: MetricIndex;
}

/** What one service did between two scrapes (counts), and its gauges at the second one. */
export interface TargetWindow {
  seconds: number;
  requests: number;
  /** Bid requests answered 200 (with a bid). */
  bidResponses: number;
  bids: number;
  /** Win notices that found their bid (`kind="win", outcome="won"`). */
  wins: number;
  latency: Bucket[];
  /** Replication-lag observations per remote topic. */
  lag: Map<string, Bucket[]>;
  /** Latest replication lag per remote topic, in seconds. */
  lagLast: Map<string, number>;
  blocklist: number | undefined;
}

/** Increase of a counter; one that went down was reset by a restart, so all of it is new. */
export function counterDelta(prev: number, cur: number): number {
  return cur >= prev ? cur - prev : cur;
}

function deltaOf(prev: MetricIndex, cur: MetricIndex, name: string, match = {}): number {
  return counterDelta(sumOf(prev, name, match), sumOf(cur, name, match));
}

function lastByTopic(samples: readonly Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const t = s.labels['topic'];
    if (t !== undefined && Number.isFinite(s.value)) out.set(t, Math.max(out.get(t) ?? 0, s.value));
  }
  return out;
}

/** What a service did between `prev` and `cur` (scrapes of the same process or its successor). */
export function targetWindow(prev: Scrape, cur: Scrape): TargetWindow {
  const p = prev.index;
  const c = cur.index;
  const latency = bucketDelta(
    histogramOf(p, SERIES.latency).get('') ?? [],
    histogramOf(c, SERIES.latency).get('') ?? [],
  );
  const lagBefore = histogramOf(p, SERIES.lag, 'topic');
  const lag = new Map<string, Bucket[]>();
  for (const [topic, b] of histogramOf(c, SERIES.lag, 'topic'))
    lag.set(topic, bucketDelta(lagBefore.get(topic) ?? [], b));
  return {
    seconds: Math.max(0.001, (cur.atMs - prev.atMs) / 1000),
    requests: deltaOf(p, c, SERIES.requests),
    bidResponses: deltaOf(p, c, SERIES.requests, { code: '200' }),
    bids: deltaOf(p, c, SERIES.bids),
    wins: deltaOf(p, c, SERIES.trackers, { kind: 'win', outcome: 'won' }),
    latency,
    lag,
    lagLast: lastByTopic(c.get(SERIES.lagLast) ?? []),
    blocklist: maxOf(c, SERIES.blocklist),
  };
}

/** Replication lag of one remote topic as a region's services read it. */
export interface LagRow {
  topic: string;
  sourceRegion: string;
  /** Lag of the latest message read (largest over the region's services). */
  lastMs: number | null;
  /** p99 of the messages read in the last second; null when none arrived. */
  p99Ms: number | null;
  /** Messages read from it in the last second. */
  messages: number;
}

/** A region's live figures over the last second. */
export interface RegionLive {
  qps: number;
  /** Share of bid requests answered with a bid; null without requests. */
  bidRate: number | null;
  /** Wins per bid in the second; null without bids. */
  winRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Entries the region's bidders hold; null when no bidder answered. */
  blocklistEntries: number | null;
  replication: LagRow[];
}

const ms = (seconds: number | null): number | null =>
  seconds === null ? null : Math.round(seconds * 1e6) / 1e3;

/** Combines the windows of every service of a region that answered both scrapes. */
export function regionLive(windows: readonly TargetWindow[]): RegionLive {
  let qps = 0;
  let requests = 0;
  let bidResponses = 0;
  let bids = 0;
  let wins = 0;
  let latency: Bucket[] = [];
  let blocklist: number | null = null;
  const lag = new Map<string, Bucket[]>();
  const lagLast = new Map<string, number>();
  for (const w of windows) {
    qps += w.requests / w.seconds;
    requests += w.requests;
    bidResponses += w.bidResponses;
    bids += w.bids;
    wins += w.wins;
    latency = addBuckets(latency, w.latency);
    if (w.blocklist !== undefined) blocklist = Math.max(blocklist ?? 0, w.blocklist);
    for (const [t, b] of w.lag) lag.set(t, addBuckets(lag.get(t) ?? [], b));
    for (const [t, v] of w.lagLast) lagLast.set(t, Math.max(lagLast.get(t) ?? 0, v));
  }
  const topics = [...new Set([...lag.keys(), ...lagLast.keys()])].sort();
  return {
    qps: Math.round(qps * 10) / 10,
    bidRate: requests > 0 ? bidResponses / requests : null,
    winRate: bids > 0 ? Math.min(1, wins / bids) : null,
    p50Ms: ms(quantileOf(0.5, latency)),
    p99Ms: ms(quantileOf(0.99, latency)),
    blocklistEntries: blocklist,
    replication: topics.map((topic) => {
      const b = lag.get(topic) ?? [];
      return {
        topic,
        sourceRegion: logicalTopicName(topic).sourceRegion ?? '',
        lastMs: ms(lagLast.get(topic) ?? null),
        p99Ms: ms(quantileOf(0.99, b)),
        messages: b[b.length - 1]?.count ?? 0,
      };
    }),
  };
}
