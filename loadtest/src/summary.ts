import { addImpression, ZERO_SPEND, type Region } from '@streambid/contracts';
import type { Scenario } from './args.js';
import type { CollectedSpend } from './business.js';
import {
  addCheckCounts,
  CHECK_NAMES,
  emptyCheckCounts,
  passRate,
  type CheckCounts,
} from './checks.js';
import type { GcLogs } from './gc-logs.js';
import type { RegionRun } from './run.js';
import type { PhaseView, SecondRow, Stall } from './seconds.js';
import type { SeededCampaign } from './seed.js';
import type { WarmupRound } from './settle.js';
import { cellsOf, judgeExpr, type Threshold } from './thresholds.js';

export type { Threshold };

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
      /** Passed checks over all checks made on this region's sampled responses (1: none made). */
      checks_pass_rate: number;
      /** This region's checks by name. */
      checks: ChecksSummary;
      /** Wins over bids at the simulated exchange. */
      win_rate: number;
      /** Lost bids by OpenRTB loss reason code. */
      losses_by_reason: Record<string, number>;
    }
  >;
  /** Checks on the responses over every region (measured phase), by name, as k6 shows them. */
  checks: ChecksSummary;
  /** Passed checks over all checks made, every region. */
  checks_pass_rate: number;
  /** The simulated exchange's auctions and notices, warm-up included. */
  auction: {
    type: Scenario['auction'];
    win_rate: number;
    wins: number;
    bids: number;
    losses_by_reason: Record<string, number>;
    win_notices_sent: number;
    loss_notices_sent: number;
    /** Of those, sent a second time on purpose. */
    win_notices_duplicated: number;
    loss_notices_duplicated: number;
    /** Spend by the exchange's own record of `billed: true` answers (micros). */
    exchange_billed_micros: number;
  };
  /** The warm-up phase before the measured one (not subject to the latency thresholds). */
  warmup: {
    duration_s: number;
    regions: Record<string, { p99_ms: number; rps: number }>;
    /** With `warmupUntilSettled`: whether the stack settled, and each round's p99 and JIT CPU. */
    settled?: boolean;
    rounds?: { p99_ms: Record<string, number>; jit_cpu_pct: number | null }[];
  };
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
  /**
   * Spend of the campaigns homed in each region (micros), wherever it was spent: a region whose
   * campaigns never win shows up here as 0.
   */
  spend_by_home_region: Record<string, number>;
  freq_cap_violations: number;
  blocklisted_bids: number;
  /**
   * Bids on traffic the bidder can know as bots before the bid (a declared bot's user agent, a
   * data centre's address; `known-bots.ts`), warm-up included. Goal and threshold: 0.
   */
  bids_on_known_bots: number;
  /** Spend (micros) of the billed bids won on invalid traffic (any bot label), warm-up included. */
  invalid_spend_micros: number;
  /**
   * Money, from the simulated exchange's own record of the billing notices it sent (retries and
   * duplicates on purpose included), checked against the spend topics: bids whose billing was
   * acknowledged more than once or written more than once, won bids whose billing never was, and
   * test bids that were billed.
   */
  double_bills: number;
  unbilled_wins: number;
  test_traffic_billed: number;
  /** Billing notices the exchange sent in all (first ones, retries after 503, duplicates). */
  billing_notices_sent: number;
  /** What `npm run reconcile -- --run` reads: the run's namespace, window and endpoints. */
  namespace: string;
  window: { from_ms: number; to_ms: number };
  brokers: Record<string, string>;
  inventory_urls: Record<string, string>;
  /** The command that reconciles this run's money across the four sources. */
  reconcile_command: string;
  replication_lag_p50_ms: number | null;
  replication_lag_p99_ms: number | null;
  replication_delay_injected_ms: number;
  replication_delay_note: string;
  /**
   * Every threshold by name, the built-in ones (`p99_ms (worst region)`, `error_rate`, …) and the
   * scenario file's expressions keyed as written (`thresholds["p99_ms{region:us} < 30"].ok`).
   */
  thresholds: Record<string, Omit<Threshold, 'name'>>;
  /** The same thresholds as a list, in the order judged (the shape `thresholds` had before). */
  threshold_list: Threshold[];
  /**
   * Per scenario (one named `default` in a fixed-rate run): its executor, tags and stages, and
   * per region its latency (exact, from its own histogram), rate over the seconds it sent, and
   * checks.
   */
  scenarios: Record<string, ScenarioSummary>;
  passed: boolean;
  /**
   * Every second of the measured phase: each region's p99 beside the CPU per role (% of one core,
   * from 100 ms `/proc` slices) and the host's steal time (seconds.ts).
   */
  seconds: SecondRow[];
  /** Seconds in which every region's p99 exceeded 5× its median second, with their top CPU. */
  stalls: Stall[];
  /** CPU per role over the measured phase (% of one core); `other` is work outside the stack. */
  cpu_by_role: Record<string, number>;
  /** Steal over the measured phase, % of all cores' time. */
  steal_pct: number | null;
  /** The host's busy time over the measured phase, % of all cores' time. */
  busy_pct: number | null;
  /** Where this run's GC logs are. */
  gc_logs: GcLogs;
  report_html: string;
  report_json: string;
}

const round = (v: number, d = 3): number => Math.round(v * 10 ** d) / 10 ** d;

/** One scenario's figures in the summary. */
export interface ScenarioSummary {
  executor: string;
  tags: Record<string, string>;
  start_time_s: number;
  stages: { duration: number; target: number }[];
  regions: Record<
    string,
    {
      p50_ms: number;
      p90_ms: number;
      p99_ms: number;
      p999_ms: number;
      /** Completed requests over the seconds it sent for (its start time left out). */
      rps: number;
      /** The rate it planned (mean over its stages). */
      target_rps: number;
      sent: number;
      errors: number;
      bids: number;
      checks_pass_rate: number;
    }
  >;
}

/** The summary's `scenarios`: each scenario's series by region. */
export function scenarioSummaries(
  sc: Scenario,
  runs: readonly RegionRun[],
): Record<string, ScenarioSummary> {
  const out = new Map<string, ScenarioSummary>();
  for (const r of runs)
    for (const s of r.scenarios) {
      const def = sc.scenarios[s.scenario];
      const entry = out.get(s.scenario) ?? {
        executor: def?.executor ?? 'constant-arrival-rate',
        tags: { ...s.tags },
        start_time_s: def?.startTime ?? 0,
        stages: def
          ? (def.stages ?? [{ duration: def.duration ?? 0, target: def.rate ?? 0 }])
          : [{ duration: sc.durationS, target: sc.rate }],
        regions: {},
      };
      const res = s.result;
      entry.regions[r.region] = {
        p50_ms: res.latencyMs.p50,
        p90_ms: res.latencyMs.p90,
        p99_ms: res.latencyMs.p99,
        p999_ms: res.latencyMs.p999,
        rps: round(res.completed / Math.max(s.activeS, 1e-9), 1),
        target_rps: res.targetRate,
        sent: res.sent,
        errors:
          res.errors +
          Object.entries(res.statusCounts)
            .filter(([k]) => k.startsWith('5'))
            .reduce((a, [, v]) => a + v, 0),
        bids: s.bids,
        checks_pass_rate: round(passRate(s.checks), 5),
      };
      out.set(s.scenario, entry);
    }
  return Object.fromEntries(out);
}

/** Checks by name: passes, fails and their pass rate. */
export type ChecksSummary = Record<string, { passes: number; fails: number; pass_rate: number }>;

/** The summary's form of check counts. */
export function checksSummary(c: CheckCounts): ChecksSummary {
  const out: ChecksSummary = {};
  for (const n of CHECK_NAMES) {
    const { passes, fails } = c[n];
    out[n] = {
      passes,
      fails,
      pass_rate: passes + fails === 0 ? 1 : round(passes / (passes + fails), 5),
    };
  }
  return out;
}

/** The checks threshold's limit when the scenario names none. */
export const CHECKS_PASS_RATE_DEFAULT = 0.999;

/** The name of the checks threshold (every region's pass rate at least the limit). */
export const CHECKS_THRESHOLD = 'checks_pass_rate (worst region, at least)';

const judged = (t: Omit<Threshold, 'ok'>): Threshold => ({
  ...t,
  ok: t.value !== null && t.value <= t.limit,
});

/** Per-region figures of a traffic phase, and its errors (transport + 5xx) over requests sent. */
export function regionFigures(runs: readonly RegionRun[]): {
  regions: Summary['regions'];
  errors: number;
  sent: number;
} {
  const regions: Summary['regions'] = {};
  let errors = 0;
  let sent = 0;
  for (const r of runs) {
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
      checks_pass_rate: round(passRate(r.checks), 5),
      checks: checksSummary(r.checks),
      win_rate: r.bids === 0 ? 0 : round(r.wins / r.bids, 4),
      losses_by_reason: { ...r.lossReasons },
    };
  }
  return { regions, errors, sent };
}

/** The thresholds traffic alone decides: the worst region's p99 and the error rate. */
export function trafficThresholds(
  regions: Summary['regions'],
  errors: number,
  sent: number,
  limits: Scenario['thresholds'],
): Threshold[] {
  const p99s = Object.values(regions).map((r) => r.p99_ms);
  const errorRate = sent === 0 ? 0 : errors / sent;
  return [
    {
      name: 'p99_ms (worst region)',
      limit: limits.p99Ms,
      value: p99s.length ? Math.max(...p99s) : null,
    },
    { name: 'error_rate', limit: limits.errorRate, value: round(errorRate, 5) },
  ].map(judged);
}

/** The checks threshold: the worst region's pass rate must be at least `limit`. */
export function checksThreshold(regions: Summary['regions'], limit: number): Threshold {
  const rates = Object.values(regions).map((r) => r.checks_pass_rate);
  const value = rates.length ? Math.min(...rates) : null;
  return { name: CHECKS_THRESHOLD, limit, value, ok: value !== null && value >= limit, op: '>=' };
}

/** The exchange's auctions and notices over the runs given. */
function auctionSummary(type: Scenario['auction'], runs: readonly RegionRun[]): Summary['auction'] {
  const losses: Record<string, number> = {};
  let wins = 0;
  let bids = 0;
  let billed = 0;
  const n = { win: 0, winDuplicates: 0, loss: 0, lossDuplicates: 0 };
  for (const r of runs) {
    wins += r.wins;
    bids += r.bids;
    billed += r.billedMicros;
    for (const [k, v] of Object.entries(r.lossReasons)) losses[k] = (losses[k] ?? 0) + v;
    n.win += r.notices.win;
    n.winDuplicates += r.notices.winDuplicates;
    n.loss += r.notices.loss;
    n.lossDuplicates += r.notices.lossDuplicates;
  }
  return {
    type,
    win_rate: bids === 0 ? 0 : round(wins / bids, 4),
    wins,
    bids,
    losses_by_reason: losses,
    win_notices_sent: n.win,
    loss_notices_sent: n.loss,
    win_notices_duplicated: n.winDuplicates,
    loss_notices_duplicated: n.lossDuplicates,
    exchange_billed_micros: billed,
  };
}

function spendByHome(campaigns: Summary['campaigns']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of campaigns) out[c.home] = (out[c.home] ?? 0) + c.spend_micros;
  return out;
}

export function summarise(input: {
  runId: string;
  scenario: Scenario;
  runs: RegionRun[];
  /** Warm-up runs: their business effects count, their latency does not. */
  warmup: RegionRun[];
  /** A warm-up until settled: its rounds, and whether it settled (settle.ts). */
  settle?: { rounds: readonly WarmupRound[]; settled: boolean };
  seeded: SeededCampaign[];
  spend: CollectedSpend;
  namespace: string;
  window: { from_ms: number; to_ms: number };
  brokers: Record<string, string>;
  inventoryUrls: Record<string, string>;
  lag: { p50: number | null; p99: number | null };
  reportHtml: string;
  reportJson: string;
  /** The measured phase's per-second view (none: empty). */
  view?: PhaseView;
  gcLogs?: GcLogs;
}): Summary {
  const { scenario } = input;
  const { regions, errors, sent } = regionFigures(input.runs);
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
  const money = billingOutcomes([...input.warmup, ...input.runs], input.spend.eventsByBid);
  const overspendMax = over.length ? Math.max(...over) : 0;
  const knownBotBids = [...input.warmup, ...input.runs].reduce((a, r) => a + r.bidsOnKnownBots, 0);
  const thresholds = [
    ...trafficThresholds(regions, errors, sent, scenario.thresholds),
    ...[
      { name: 'overspend_pct_max', limit: scenario.thresholds.overspendPct, value: overspendMax },
      { name: 'double_bills', limit: 0, value: money.double_bills },
      { name: 'unbilled_wins', limit: 0, value: money.unbilled_wins },
      { name: 'test_traffic_billed', limit: 0, value: money.test_traffic_billed },
      { name: 'bids_on_known_bots', limit: 0, value: knownBotBids },
    ].map(judged),
    checksThreshold(regions, scenario.thresholds.checksPassRate ?? CHECKS_PASS_RATE_DEFAULT),
  ];
  const runMetrics = {
    overspend_pct: overspendMax,
    double_bills: money.double_bills,
    unbilled_wins: money.unbilled_wins,
    test_traffic_billed: money.test_traffic_billed,
    bids_on_known_bots: knownBotBids,
    freq_cap_violations: violations,
    blocklisted_bids: [...input.warmup, ...input.runs].reduce((a, r) => a + r.blocklistedBids, 0),
    invalid_spend_micros: invalidSpendMicros(
      [...input.warmup, ...input.runs],
      input.spend.cpmByBid,
    ),
    replication_lag_p99_ms: input.lag.p99,
  };
  const cells = cellsOf(input.runs);
  for (const e of scenario.thresholdExprs) thresholds.push(judgeExpr(e, cells, runMetrics));
  const allChecks = emptyCheckCounts();
  for (const r of input.runs) addCheckCounts(allChecks, r.checks);
  return {
    run_id: input.runId,
    scenario,
    regions,
    checks: checksSummary(allChecks),
    checks_pass_rate: round(passRate(allChecks), 5),
    auction: auctionSummary(scenario.auction, [...input.warmup, ...input.runs]),
    warmup: {
      duration_s: input.settle
        ? input.settle.rounds.reduce((a, r) => a + r.s, 0)
        : scenario.warmupS,
      ...(input.settle
        ? {
            settled: input.settle.settled,
            rounds: input.settle.rounds.map((r) => ({ p99_ms: r.p99Ms, jit_cpu_pct: r.jitCpuPct })),
          }
        : {}),
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
    spend_by_home_region: spendByHome(campaigns),
    freq_cap_violations: violations,
    blocklisted_bids: runMetrics.blocklisted_bids,
    bids_on_known_bots: knownBotBids,
    invalid_spend_micros: runMetrics.invalid_spend_micros,
    ...money,
    namespace: input.namespace,
    window: input.window,
    brokers: input.brokers,
    inventory_urls: input.inventoryUrls,
    reconcile_command: `npm run reconcile -- --run ${input.runId}`,
    replication_lag_p50_ms: input.lag.p50,
    replication_lag_p99_ms: input.lag.p99,
    replication_delay_injected_ms: scenario.replicationDelayMs,
    replication_delay_note:
      'no netem on this machine: inter-region delay is injected by a user-space TCP proxy on the MirrorMaker 2 replication path',
    thresholds: Object.fromEntries(thresholds.map(({ name, ...t }) => [name, t])),
    threshold_list: thresholds,
    scenarios: scenarioSummaries(scenario, input.runs),
    passed: thresholds.every((t) => t.ok),
    seconds: input.view?.seconds ?? [],
    stalls: input.view?.stalls ?? [],
    cpu_by_role: input.view?.cpu?.cpu ?? {},
    steal_pct: input.view?.cpu?.steal_pct ?? null,
    busy_pct: input.view?.cpu?.busy_pct ?? null,
    gc_logs: input.gcLogs ?? { node: null, jvm: [] },
    report_html: input.reportHtml,
    report_json: input.reportJson,
  };
}

/** Spend of the billed bids won on invalid traffic, exact (sub-micro parts added up). */
export function invalidSpendMicros(
  runs: readonly RegionRun[],
  cpmByBid: ReadonlyMap<string, number>,
): number {
  let sum = ZERO_SPEND;
  for (const r of runs)
    for (const bid of r.invalidBids) {
      const cpm = cpmByBid.get(bid);
      if (cpm !== undefined) sum = addImpression(sum, cpm);
    }
  return sum.micros;
}

/** The money results of the exchange's notice records against the spend topics. */
export function billingOutcomes(
  runs: readonly RegionRun[],
  eventsByBid: ReadonlyMap<string, number>,
): {
  double_bills: number;
  unbilled_wins: number;
  test_traffic_billed: number;
  billing_notices_sent: number;
} {
  let double = 0;
  let unbilled = 0;
  let testBilled = 0;
  let sent = 0;
  for (const r of runs)
    for (const [bidId, rec] of r.billing) {
      sent += rec.sent;
      const events = eventsByBid.get(bidId) ?? 0;
      if (rec.test) {
        if (rec.billed > 0 || events > 0) testBilled++;
        continue;
      }
      if (rec.billed > 1 || events > 1) double++;
      else if (rec.billed + rec.duplicates === 0 || events === 0) unbilled++;
    }
  return {
    double_bills: double,
    unbilled_wins: unbilled,
    test_traffic_billed: testBilled,
    billing_notices_sent: sent,
  };
}

export type { Region };
