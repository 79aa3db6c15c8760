import { REGIONS, type Region } from '@streambid/contracts';
import {
  allocate,
  DEFAULT_ALLOCATION,
  type AllocationOptions,
  type RegionAllowance,
} from '../domain/allocation.js';
import { DecayingRate } from '../domain/rate.js';
import { Random } from './random.js';

/**
 * A deterministic, network-free model of budget control across regions. The allocator (the
 * campaign's home-region inventory service) runs the real `allocate` code on the spend it has seen;
 * remote regions' spend reaches it only after the replication lag, and its allowances reach the
 * remote bidders only after the same lag. Each region's bidder bids while its own recorded spend
 * is below the cap it last received; a win is recorded as spend `winDelayMs` after the bid.
 */

/** Simulation parameters. */
export interface SimOptions {
  /** Replication lag between regions, both directions. */
  lagMs: number;
  /** Number of regions (1–3). @default 3 */
  regions?: number;
  /** @default 100 */
  campaigns?: number;
  /** @default 'streambid' */
  seed?: string;
  /** Simulated flight window in ms; campaign flights lie inside it. @default 600000 */
  flightMs?: number;
  /** Time step. @default 10 */
  stepMs?: number;
  /** How often the allocator publishes. @default DEFAULT_ALLOCATION.intervalMs */
  allocIntervalMs?: number;
  /** Delay from bid to recorded win (spend). @default 50 */
  winDelayMs?: number;
  /** Allocator tuning; defaults are the service's. */
  allocation?: AllocationOptions;
}

export interface CampaignOutcome {
  id: string;
  budgetMicros: number;
  spendMicros: number;
  /** (spend − budget) / budget × 100 (negative when under-delivered). */
  overspendPct: number;
  /** (budget − spend) / budget × 100, at least 0. */
  underdeliveryPct: number;
  /** Spend the traffic would have bought without any budget control, over the budget. */
  demandRatio: number;
}

export interface RunOutcome {
  seed: string;
  lagMs: number;
  regions: number;
  campaigns: CampaignOutcome[];
  overspendPctMax: number;
  /** Mean over campaigns of max(0, overspend %). */
  overspendPctMean: number;
  /** Mean over campaigns of under-delivery %. */
  underdeliveryPct: number;
}

interface RegionState {
  /** Spend the region's bidder has recorded (its own wins). */
  spend: number;
  /** Wins in flight, by the step at which they are recorded. */
  pending: Float64Array;
  /** `spend` at recent steps (ring): what a remote allocator sees after the lag. */
  spendHist: Float64Array;
  /** Latest published cap at recent steps (ring): what a remote bidder sees after the lag. */
  capHist: Float64Array;
  published: number;
  rate: DecayingRate;
  seenAtLastTick: number;
  /** Traffic: base opportunities/s and the current burst multiplier. */
  baseOpps: number;
  mult: number;
  burstLeftMs: number;
}

interface SimCampaign {
  id: string;
  home: number;
  budget: number;
  start: number;
  end: number;
  bidCpm: number;
  winRate: number;
  avgCost: number;
  /** When traffic shifts between regions, and the new weights. */
  shiftAt: number;
  shiftWeights: number[];
  demand: number;
  regions: RegionState[];
}

const DAY0 = Date.UTC(2025, 0, 1, 1);

function weights(rng: Random, n: number): number[] {
  // Uneven: one dominant region, a middling one and a quiet one.
  const w = Array.from({ length: n }, () => rng.float() ** 2 + 0.02);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

function makeCampaign(
  rng: Random,
  i: number,
  n: number,
  o: Required<SimOptions>,
  ring: number,
): SimCampaign {
  const start = Math.floor(rng.between(0, 0.2) * o.flightMs);
  const end = Math.floor(rng.between(0.6, 1) * o.flightMs);
  const budget = Math.round(rng.between(20, 500)) * 1_000_000;
  const bidCpm = Math.round(rng.between(0.5, 8) * 1000) * 1000;
  const winRate = rng.between(0.05, 0.4);
  const avgCost = (bidCpm / 1000) * 0.75;
  // Traffic that could buy 1.3–4× the budget over the flight, spread unevenly over regions.
  const demandFactor = rng.between(1.3, 4);
  const totalOpps = (demandFactor * budget) / (winRate * avgCost) / ((end - start) / 1000);
  const w = weights(rng, n);
  const regions: RegionState[] = w.map((wr) => ({
    spend: 0,
    pending: new Float64Array(ring),
    spendHist: new Float64Array(ring),
    capHist: new Float64Array(ring),
    published: 0,
    rate: new DecayingRate(DEFAULT_ALLOCATION.rateTauMs),
    seenAtLastTick: 0,
    baseOpps: totalOpps * wr,
    mult: 1,
    burstLeftMs: 0,
  }));
  return {
    id: `sim-${String(i)}`,
    home: Math.floor(rng.float() * n),
    budget,
    start,
    end,
    bidCpm,
    winRate,
    avgCost,
    shiftAt: Math.floor(rng.between(start, end)),
    shiftWeights: weights(rng, n),
    demand: 0,
    regions,
  };
}

/** Runs one simulation; same options, same result. */
export function simulate(opts: SimOptions): RunOutcome {
  const o: Required<SimOptions> = {
    regions: 3,
    campaigns: 100,
    seed: 'streambid',
    flightMs: 600_000,
    stepMs: 10,
    allocIntervalMs: DEFAULT_ALLOCATION.intervalMs,
    winDelayMs: 50,
    allocation: {},
    ...opts,
  };
  const n = o.regions;
  const regionNames: Region[] = REGIONS.slice(0, n);
  const lagSteps = Math.round(o.lagMs / o.stepMs);
  const winSteps = Math.max(1, Math.round(o.winDelayMs / o.stepMs));
  const allocEvery = Math.max(1, Math.round(o.allocIntervalMs / o.stepMs));
  const ring = Math.max(lagSteps, winSteps) + 2;
  const rng = new Random(o.seed);
  const campaigns = Array.from({ length: o.campaigns }, (_, i) => makeCampaign(rng, i, n, o, ring));
  const dt = o.stepMs / 1000;
  // Run past the flight so late wins and lagged allowances play out.
  const lastStep = Math.ceil((o.flightMs + 2 * o.lagMs + o.winDelayMs + 1000) / o.stepMs);
  const ago = (step: number, lag: number): number => (((step - lag) % ring) + ring) % ring;

  for (let step = 0; step <= lastStep; step++) {
    const t = step * o.stepMs;
    const slot = step % ring;
    for (const c of campaigns) {
      for (const r of c.regions) {
        r.spend += r.pending[slot] ?? 0;
        r.pending[slot] = 0;
        r.spendHist[slot] = r.spend;
      }
      if (step % allocEvery === 0) allocateTick(c, step, t);
      for (let ri = 0; ri < n; ri++) {
        const r = c.regions[ri];
        if (!r) continue;
        r.capHist[slot] = r.published;
        const lag = ri === c.home ? 0 : lagSteps;
        const cap = step >= lag ? (r.capHist[ago(step, lag)] ?? 0) : 0;
        bid(c, ri, r, cap, t, (step + winSteps) % ring);
      }
    }
  }

  function allocateTick(c: SimCampaign, step: number, t: number): void {
    const now = DAY0 + t;
    const spendByRegion: Partial<Record<Region, number>> = {};
    const recentRateByRegion: Partial<Record<Region, number>> = {};
    let total = 0;
    c.regions.forEach((r, ri) => {
      const name = regionNames[ri];
      if (!name) return;
      const lag = ri === c.home ? 0 : lagSteps;
      const seen = step >= lag ? (r.spendHist[ago(step, lag)] ?? 0) : 0;
      // The allocator learns spend as events arrive: feed its rate estimate with what is new.
      if (seen > r.seenAtLastTick) r.rate.add(seen - r.seenAtLastTick, now - lag * o.stepMs);
      r.seenAtLastTick = seen;
      spendByRegion[name] = seen;
      recentRateByRegion[name] = r.rate.perSecond(now);
      total += seen;
    });
    const allowances: RegionAllowance[] = allocate(
      {
        plan: {
          totalMicros: c.budget,
          flight: { start: DAY0 + c.start, end: DAY0 + c.end },
        },
        bidCpmMicros: c.bidCpm,
        active: true,
        regions: regionNames,
        spendByRegion,
        spentTodayMicros: total,
        recentRateByRegion,
        now,
      },
      o.allocation,
    );
    allowances.forEach((a, ri) => {
      const r = c.regions[ri];
      if (r) r.published = a.capMicros;
    });
  }

  function bid(
    c: SimCampaign,
    ri: number,
    r: RegionState,
    cap: number,
    t: number,
    winSlot: number,
  ): void {
    if (t < c.start || t >= c.end) return;
    // Bursty traffic: short bursts of 3–12× on top of a slowly wandering base level.
    if (r.burstLeftMs > 0) r.burstLeftMs -= o.stepMs;
    else if (rng.float() < dt / 20) {
      r.burstLeftMs = rng.between(500, 3000);
      r.mult = rng.between(3, 12);
    } else if (rng.float() < dt / 5) r.mult = rng.between(0.2, 1.2);
    const base = t >= c.shiftAt ? (c.shiftWeights[ri] ?? 0) * sumBase(c) : r.baseOpps;
    const mult = r.burstLeftMs > 0 ? r.mult : Math.min(r.mult, 1.2);
    const opps = rng.poisson(base * mult * dt);
    if (opps === 0) return;
    const wins = rng.binomial(opps, c.winRate);
    const cost = wins * c.avgCost * (1 + 0.1 * rng.normal());
    c.demand += Math.max(0, cost);
    if (r.spend >= cap || wins === 0) return;
    r.pending[winSlot] = (r.pending[winSlot] ?? 0) + Math.max(0, Math.round(cost));
  }

  function sumBase(c: SimCampaign): number {
    return c.regions.reduce((s, r) => s + r.baseOpps, 0);
  }

  const outcomes: CampaignOutcome[] = campaigns.map((c) => {
    const spend = c.regions.reduce((s, r) => s + r.spend, 0);
    const over = ((spend - c.budget) / c.budget) * 100;
    return {
      id: c.id,
      budgetMicros: c.budget,
      spendMicros: spend,
      overspendPct: over,
      underdeliveryPct: Math.max(0, -over),
      demandRatio: c.demand / c.budget,
    };
  });
  const mean = (xs: number[]): number =>
    xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    seed: o.seed,
    lagMs: o.lagMs,
    regions: n,
    campaigns: outcomes,
    overspendPctMax: Math.max(...outcomes.map((x) => x.overspendPct)),
    overspendPctMean: mean(outcomes.map((x) => Math.max(0, x.overspendPct))),
    underdeliveryPct: mean(outcomes.map((x) => x.underdeliveryPct)),
  };
}
