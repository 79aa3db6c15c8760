import type { Region } from '@streambid/contracts';

/**
 * What each source of the reconciliation reported, before any comparison. Counts are distinct
 * bids; sums of CPMs are BigInt (a sum of CPM micros is 1,000 times a sum of micros and can pass
 * 2^53); micros are floor(Σ cpm / 1000), the exact spend of a set of events (`money.ts`).
 */

/** Event-time window [fromMs, toMs); null = unbounded on that side. */
export interface Window {
  fromMs: number | null;
  toMs: number | null;
}

export const MINUTE_MS = 60_000;

/**
 * The window grown to whole minutes: acknowledgements are counted per minute, so every source is
 * compared over the same whole minutes.
 */
export function alignToMinutes(w: Window): Window {
  return {
    fromMs: w.fromMs === null ? null : Math.floor(w.fromMs / MINUTE_MS) * MINUTE_MS,
    toMs: w.toMs === null ? null : Math.ceil(w.toMs / MINUTE_MS) * MINUTE_MS,
  };
}

export function inWindow(w: Window, ts: number): boolean {
  return (w.fromMs === null || ts >= w.fromMs) && (w.toMs === null || ts < w.toMs);
}

/** One billed bid as a spend event tells it. */
export interface SpendFact {
  bidId: string;
  eventId: string;
  ts: number;
  region: Region;
  campaignId: string;
  cpmMicros: number;
  /** floor(cpmMicros / 1000): what one impression costs in whole micros. */
  amountMicros: number;
}

/** A region's local `spend` topic, read on the region's own cluster. */
export interface RegionSpend {
  /** Distinct bids of the window; a bid's earliest record (then the first read) stands for it. */
  bids: Map<string, SpendFact>;
  /** Records of the window, copies of one bid included. */
  records: number;
  /** Records the spend schema refuses (counted nowhere else). */
  invalid: { count: number; sample: string[] };
  /** Events whose `eventId` is not their `bidId` (the contract says eventId = bid id). */
  eventIdNotBidId: string[];
  /** False when the topic does not exist on the cluster (then counted as empty). */
  exists: boolean;
}

/** Billing notices acknowledged in one region (its `billing-acks` topic), minutes of the window. */
export interface RegionAcks {
  acked: number;
  /** Σ ackedMicros: whole micros of the acknowledged notices (see README, reconcile). */
  ackedMicros: number;
  /** (instance, minute) entries counted. */
  entries: number;
  instances: number;
  invalid: { count: number; sample: string[] };
  exists: boolean;
}

/** Totals of distinct bids in the ClickHouse spend table. */
export interface ChTotals {
  bids: number;
  cpm: bigint;
  /** intDiv(sum(cpm_micros), 1000), computed by ClickHouse. */
  micros: number;
  /** sum(amount_micros): whole micros per event. */
  wholeMicros: number;
}

export interface ClickHouseSide {
  table: string;
  /** Physical topics whose rows are counted (`src_topic`). */
  topics: string[];
  total: ChTotals;
  /** Per region of the bid's earliest row. */
  byRegion: Map<string, ChTotals>;
  /** Every distinct bid of the window: CPM and region of its earliest row. */
  bids: Map<string, { cpm: number; region: string }>;
  /** Rows stored for these bids, copies not merged away yet included. */
  rows: number;
  /** Rows the spend replay stored before this comparison (null when not loaded: `--no-load`). */
  loaded: number | null;
}

/** A campaign whose ledger totals are compared, and why it was chosen. */
export interface LedgerCampaign {
  id: string;
  homeRegion: string | null;
}

/** One campaign's spend as a region's inventory service reports it (`GET /campaigns/:id/status`). */
export interface LedgerTotals {
  events: number;
  totalMicros: number;
  /** Nano-units below one micro, when the service reports them. */
  remainderNanos: number | null;
}

export type RegionLedger =
  | { ok: true; url: string; totals: Map<string, LedgerTotals | 'not_found'> }
  | { ok: false; url: string; reason: string };

export interface LedgerSide {
  campaigns: LedgerCampaign[];
  /** How the campaigns were chosen (printed and in the JSON: never silent). */
  selection: string;
  byRegion: Map<Region, RegionLedger>;
}

/** Everything gathered for one comparison. */
export interface Facts {
  window: Window;
  namespace: string;
  regions: Region[];
  spend: Map<Region, RegionSpend>;
  acks: Map<Region, RegionAcks>;
  clickhouse: ClickHouseSide;
  /** null when skipped (`--no-ledger`), with the reason. */
  ledger: LedgerSide | { skipped: string };
}
