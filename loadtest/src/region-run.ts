import type { Region } from '@streambid/contracts';
import type { OpenModelResult } from '@streambid/loadgen';
import { emptyCheckCounts, type CheckCounts } from './checks.js';

/** One scenario's traffic in one region: its own latency, rate and checks. */
export interface ScenarioRegionRun {
  scenario: string;
  tags: Record<string, string>;
  /** Seconds it sent for (its start time left out): its rate is completions over these. */
  activeS: number;
  result: OpenModelResult;
  checks: CheckCounts;
  bids: number;
}

/** Per-region outcome of the traffic phase. */
export interface RegionRun {
  region: Region;
  /** Every scenario of the region merged (latency exactly, from their histograms). */
  result: OpenModelResult;
  /** The region's scenarios one by one (one named `default` in a fixed-rate run). */
  scenarios: ScenarioRegionRun[];
  bids: number;
  wins: number;
  clicks: number;
  noticeErrors: number;
  blocklistedBids: number;
  botRequests: number;
  /** Bids on visits the bidder could know as bots before the bid (`known-bots.ts`); goal 0. */
  bidsOnKnownBots: number;
  /** Won bids on visits of invalid traffic (any bot label): their spend is invalid spend. */
  invalidBids: Set<string>;
  /** wins per `user|campaign` */
  winsByUserCampaign: Map<string, number>;
  /** The exchange's own record of the billing it sent per won bid (retries and duplicates too). */
  billing: Map<string, BillingRecord>;
  /** Checks on the sampled responses (`checks.ts`), pass and fail per check. */
  checks: CheckCounts;
  /** Bids the auction lost, by OpenRTB loss reason code. */
  lossReasons: Record<string, number>;
  /** Win and loss notices the exchange sent (duplicates on purpose included). */
  notices: { win: number; winDuplicates: number; loss: number; lossDuplicates: number };
  /** Spend billed so far by the exchange's record (micros; `billed: true` answers, test excluded). */
  billedMicros: number;
}

/** A region's counters before its traffic phase: nothing sent, nothing won. */
export function emptyRegionRun(region: Region): Omit<RegionRun, 'result'> {
  return {
    region,
    scenarios: [],
    bids: 0,
    wins: 0,
    clicks: 0,
    noticeErrors: 0,
    blocklistedBids: 0,
    botRequests: 0,
    bidsOnKnownBots: 0,
    invalidBids: new Set(),
    winsByUserCampaign: new Map(),
    billing: new Map(),
    checks: emptyCheckCounts(),
    lossReasons: {},
    notices: { win: 0, winDuplicates: 0, loss: 0, lossDuplicates: 0 },
    billedMicros: 0,
  };
}

/** What the simulated exchange sent and was told for one won bid. */
export interface BillingRecord {
  test: boolean;
  /** Billing notices sent (first, retries after "try again", duplicates on purpose). */
  sent: number;
  /** Answers that said the spend was written now (`billed: true`). */
  billed: number;
  /** Answers that said it was written before (`duplicate: true`). */
  duplicates: number;
  /** "Try again" answers (503). */
  retriable: number;
}
