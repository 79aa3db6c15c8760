import type { Region } from '@streambid/contracts';
import type { Scenario } from './args.js';
import type { RegionRun } from './run.js';
import type { SeededCampaign } from './seed.js';

/** The machine-readable outcome of a load test (also the last line of its output). */
export interface Summary {
  run_id: string;
  scenario: Scenario;
  regions: Record<
    string,
    {
      p50_ms: number;
      p90_ms: number;
      p99_ms: number;
      p999_ms: number;
      max_ms: number;
      rps: number;
      bid_rate: number;
      sent: number;
      errors: number;
      status: Record<string, number>;
      bids: number;
      wins: number;
      clicks: number;
      notice_errors: number;
      bot_requests: number;
      send_lag_p99_ms: number;
      /** p99 of each second of the run (ms), to tell warm-up from steady state. */
      p99_ms_by_second: number[];
    }
  >;
  /** The warm-up phase before the measured one (not subject to the latency thresholds). */
  warmup: { duration_s: number; regions: Record<string, { p99_ms: number; rps: number }> };
  overspend_pct_max: number;
  overspend_pct_mean: number;
  underdelivery_pct_mean: number;
  campaigns: {
    id: string;
    home: string;
    budget_micros: number;
    spend_micros: number;
    spend_by_region: Record<string, number>;
    overspend_pct: number;
  }[];
  freq_cap_violations: number;
  blocklisted_bids: number;
  replication_lag_p50_ms: number | null;
  replication_lag_p99_ms: number | null;
  replication_delay_injected_ms: number;
  replication_delay_note: string;
  thresholds: { name: string; limit: number; value: number | null; ok: boolean }[];
  passed: boolean;
  report_html: string;
  report_json: string;
}

const round = (v: number, d = 3): number => Math.round(v * 10 ** d) / 10 ** d;

export function summarise(input: {
  runId: string;
  scenario: Scenario;
  runs: RegionRun[];
  /** Warm-up runs: their business effects count, their latency does not. */
  warmup: RegionRun[];
  seeded: SeededCampaign[];
  spend: { byCampaign: Map<string, number>; byRegion: Map<string, Map<string, number>> };
  lag: { p50: number | null; p99: number | null };
  reportHtml: string;
  reportJson: string;
}): Summary {
  const { scenario } = input;
  const regions: Summary['regions'] = {};
  let errors = 0;
  let sent = 0;
  for (const r of input.runs) {
    const res = r.result;
    const s5xx = Object.entries(res.statusCounts)
      .filter(([k]) => k.startsWith('5'))
      .reduce((a, [, v]) => a + v, 0);
    errors += res.errors + s5xx;
    sent += res.sent;
    regions[r.region] = {
      p50_ms: res.latencyMs.p50,
      p90_ms: res.latencyMs.p90,
      p99_ms: res.latencyMs.p99,
      p999_ms: res.latencyMs.p999,
      max_ms: res.latencyMs.max,
      rps: round(res.throughputRps, 1),
      bid_rate: res.completed === 0 ? 0 : round((res.statusCounts['200'] ?? 0) / res.completed, 4),
      sent: res.sent,
      errors: res.errors + s5xx,
      status: res.statusCounts,
      bids: r.bids,
      wins: r.wins,
      clicks: r.clicks,
      notice_errors: r.noticeErrors,
      bot_requests: r.botRequests,
      send_lag_p99_ms: res.sendLagMs.p99,
      p99_ms_by_second: (res.timeline ?? []).map((t) => t.p99Ms),
    };
  }
  const campaigns = input.seeded.map((c) => {
    const spend = input.spend.byCampaign.get(c.id) ?? 0;
    const byRegion: Record<string, number> = {};
    for (const [region, m] of input.spend.byRegion) byRegion[region] = m.get(c.id) ?? 0;
    return {
      id: c.id,
      home: c.homeRegion,
      budget_micros: c.budgetMicros,
      spend_micros: spend,
      spend_by_region: byRegion,
      overspend_pct: round(Math.max(0, ((spend - c.budgetMicros) / c.budgetMicros) * 100)),
    };
  });
  const over = campaigns.map((c) => c.overspend_pct);
  const under = campaigns.map((c) =>
    Math.max(0, ((c.budget_micros - c.spend_micros) / c.budget_micros) * 100),
  );
  let violations = 0;
  const caps = new Map(input.seeded.map((c) => [c.id, c.perDayCap]));
  const wins = new Map<string, number>();
  for (const r of [...input.warmup, ...input.runs])
    for (const [k, n] of r.winsByUserCampaign) wins.set(k, (wins.get(k) ?? 0) + n);
  for (const [k, n] of wins) {
    const cap = caps.get(k.slice(k.indexOf('|') + 1));
    if (cap !== undefined && n > cap) violations += n - cap;
  }
  const overspendMax = over.length ? Math.max(...over) : 0;
  const p99s = Object.values(regions).map((r) => r.p99_ms);
  const errorRate = sent === 0 ? 0 : errors / sent;
  const thresholds = [
    {
      name: 'p99_ms (worst region)',
      limit: scenario.thresholds.p99Ms,
      value: p99s.length ? Math.max(...p99s) : null,
    },
    { name: 'error_rate', limit: scenario.thresholds.errorRate, value: round(errorRate, 5) },
    { name: 'overspend_pct_max', limit: scenario.thresholds.overspendPct, value: overspendMax },
  ].map((t) => ({ ...t, ok: t.value !== null && t.value <= t.limit }));
  return {
    run_id: input.runId,
    scenario,
    regions,
    warmup: {
      duration_s: scenario.warmupS,
      regions: Object.fromEntries(
        input.warmup.map((r) => [
          r.region,
          { p99_ms: r.result.latencyMs.p99, rps: round(r.result.throughputRps, 1) },
        ]),
      ),
    },
    overspend_pct_max: overspendMax,
    overspend_pct_mean: over.length ? round(over.reduce((a, b) => a + b, 0) / over.length) : 0,
    underdelivery_pct_mean: under.length
      ? round(under.reduce((a, b) => a + b, 0) / under.length)
      : 0,
    campaigns,
    freq_cap_violations: violations,
    blocklisted_bids: [...input.warmup, ...input.runs].reduce((a, r) => a + r.blocklistedBids, 0),
    replication_lag_p50_ms: input.lag.p50,
    replication_lag_p99_ms: input.lag.p99,
    replication_delay_injected_ms: scenario.replicationDelayMs,
    replication_delay_note:
      'no netem on this machine: inter-region delay is injected by a user-space TCP proxy on the MirrorMaker 2 replication path',
    thresholds,
    passed: thresholds.every((t) => t.ok),
    report_html: input.reportHtml,
    report_json: input.reportJson,
  };
}

export type { Region };
