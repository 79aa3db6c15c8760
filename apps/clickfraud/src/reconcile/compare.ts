import type { Region } from '@streambid/contracts';
import type { Facts, LedgerTotals, RegionSpend, SpendFact } from './facts.js';

/**
 * The comparison of the four sources, pure: facts in, differences out. Each difference names the
 * check, the sides and their values; `mismatches` is how many there are.
 */

/** One disagreement between sources. */
export interface Difference {
  check:
    | 'invalid_spend_records'
    | 'invalid_ack_records'
    | 'event_id_not_bid_id'
    | 'acked_vs_spend'
    | 'billed_in_several_regions'
    | 'clickhouse_missing'
    | 'clickhouse_extra'
    | 'clickhouse_price'
    | 'clickhouse_totals'
    | 'ledger_unavailable'
    | 'ledger_missing_campaign'
    | 'ledger_vs_spend';
  message: string;
  region?: string;
  campaign?: string;
  values?: Record<string, number>;
  /** A few of the bids (or reasons) concerned. */
  sample?: string[];
}

/** Per-region figures of the JSON line. */
export interface RegionFigures {
  acked: number;
  acked_micros: number;
  spend_events: number;
  spend_micros: number;
  spend_whole_micros: number;
  spend_records: number;
  /** The region's `spend` and `billing-acks` topics exist (a missing one counts as empty). */
  topics_exist: { spend: boolean; billing_acks: boolean };
  /** Bids whose earliest ClickHouse row is of this region. */
  clickhouse_rows: number;
  clickhouse_micros: number;
  /** Σ of the compared campaigns in this region's inventory; null when unavailable or skipped. */
  ledger_micros: number | null;
}

/** The reconciliation's result: its last output line. The first five names are the interface. */
export interface Reconciliation {
  acked_billing: number;
  spend_events: number;
  clickhouse_rows: number;
  /** Σ over the compared campaigns of the home region's ledger total; null when skipped. */
  ledger_micros: number | null;
  mismatches: number;
  namespace: string;
  regions: Region[];
  window: { from: string | null; to: string | null };
  micros: {
    acked_billing: number;
    /** floor(Σ cpm / 1000) over the distinct spend events. */
    spend_events: number;
    /** Σ amountMicros (whole micros per event), what acknowledgements are compared with. */
    spend_events_whole: number;
    clickhouse_rows: number;
    ledger: number | null;
    /** The spend events' exact micros of the compared campaigns (what the ledger should hold). */
    ledger_expected: number | null;
  };
  by_region: Record<string, RegionFigures>;
  ledger: { campaigns: string[]; selection: string } | { skipped: string };
  clickhouse: { table: string; topics: string[]; rows: number; loaded: number | null };
  differences: Difference[];
}

const SAMPLE = 10;

/** Exact spend of a CPM sum: whole micros and the nano-units left. */
function exact(cpm: bigint): { micros: number; nanos: number } {
  return { micros: Number(cpm / 1000n), nanos: Number(cpm % 1000n) };
}

function sums(bids: Iterable<SpendFact>): { n: number; cpm: bigint; whole: number } {
  let n = 0;
  let cpm = 0n;
  let whole = 0;
  for (const b of bids) {
    n++;
    cpm += BigInt(b.cpmMicros);
    whole += b.amountMicros;
  }
  return { n, cpm, whole };
}

/** Every bid of every region once: the earliest record stands for it (then the first region). */
export function globalBids(spend: ReadonlyMap<Region, RegionSpend>): Map<string, SpendFact> {
  const out = new Map<string, SpendFact>();
  for (const rs of spend.values())
    for (const [id, f] of rs.bids) {
      const seen = out.get(id);
      if (seen === undefined || f.ts < seen.ts) out.set(id, f);
    }
  return out;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Records of a region's topic that fail its schema: read, but counted nowhere. */
function invalidRecords(
  check: 'invalid_spend_records' | 'invalid_ack_records',
  region: Region,
  what: string,
  topic: { invalid: { count: number; sample: string[] } },
): Difference {
  const { count, sample } = topic.invalid;
  return {
    check,
    region,
    message: `${region}: ${String(count)} ${what} (counted nowhere)`,
    values: { records: count },
    sample,
  };
}

export function reconcile(f: Facts): Reconciliation {
  const diffs: Difference[] = [];
  const all = globalBids(f.spend);
  const total = sums(all.values());
  const by: Record<string, RegionFigures> = {};
  let acked = 0;
  let ackedMicros = 0;

  for (const r of f.regions) {
    const rs = f.spend.get(r);
    const ra = f.acks.get(r);
    const s = sums(rs?.bids.values() ?? []);
    const a = { acked: ra?.acked ?? 0, micros: ra?.ackedMicros ?? 0 };
    acked += a.acked;
    ackedMicros += a.micros;
    const ch = f.clickhouse.byRegion.get(r);
    by[r] = {
      acked: a.acked,
      acked_micros: a.micros,
      spend_events: s.n,
      spend_micros: exact(s.cpm).micros,
      spend_whole_micros: s.whole,
      spend_records: rs?.records ?? 0,
      topics_exist: { spend: rs?.exists ?? false, billing_acks: ra?.exists ?? false },
      clickhouse_rows: ch?.bids ?? 0,
      clickhouse_micros: ch?.micros ?? 0,
      ledger_micros: null,
    };
    if (rs && rs.invalid.count > 0)
      diffs.push(
        invalidRecords('invalid_spend_records', r, 'spend records fail the spend schema', rs),
      );
    if (ra && ra.invalid.count > 0)
      diffs.push(
        invalidRecords('invalid_ack_records', r, 'billing-ack records fail the schema', ra),
      );
    if (rs && rs.eventIdNotBidId.length > 0)
      diffs.push({
        check: 'event_id_not_bid_id',
        region: r,
        message: `${r}: ${String(rs.eventIdNotBidId.length)} spend events whose eventId is not their bid id`,
        values: { events: rs.eventIdNotBidId.length },
        sample: rs.eventIdNotBidId.slice(0, SAMPLE),
      });
    if (a.acked !== s.n || a.micros !== s.whole)
      diffs.push({
        check: 'acked_vs_spend',
        region: r,
        message: `${r}: ${String(a.acked)} billing notices acknowledged (${String(a.micros)} micros), ${String(s.n)} spend events (${String(s.whole)} micros)`,
        values: {
          acked: a.acked,
          spend_events: s.n,
          acked_micros: a.micros,
          spend_whole_micros: s.whole,
        },
      });
  }

  const multi = [...all.keys()].filter(
    (id) => f.regions.filter((r) => f.spend.get(r)?.bids.has(id) === true).length > 1,
  );
  if (multi.length > 0)
    diffs.push({
      check: 'billed_in_several_regions',
      message: `${String(multi.length)} bids have a spend event in more than one region's topic (billed twice, counted once)`,
      values: { bids: multi.length },
      sample: multi.slice(0, SAMPLE),
    });

  compareClickHouse(f, all, total, diffs);
  const ledger = compareLedger(f, all, by, diffs);
  const totalExact = exact(total.cpm);
  return {
    acked_billing: acked,
    spend_events: total.n,
    clickhouse_rows: f.clickhouse.total.bids,
    ledger_micros: ledger.micros,
    mismatches: diffs.length,
    namespace: f.namespace,
    regions: f.regions,
    window: { from: iso(f.window.fromMs), to: iso(f.window.toMs) },
    micros: {
      acked_billing: ackedMicros,
      spend_events: totalExact.micros,
      spend_events_whole: total.whole,
      clickhouse_rows: f.clickhouse.total.micros,
      ledger: ledger.micros,
      ledger_expected: ledger.expected,
    },
    by_region: by,
    ledger:
      'skipped' in f.ledger
        ? { skipped: f.ledger.skipped }
        : { campaigns: f.ledger.campaigns.map((c) => c.id), selection: f.ledger.selection },
    clickhouse: {
      table: f.clickhouse.table,
      topics: f.clickhouse.topics,
      rows: f.clickhouse.rows,
      loaded: f.clickhouse.loaded,
    },
    differences: diffs,
  };
}

function compareClickHouse(
  f: Facts,
  all: ReadonlyMap<string, SpendFact>,
  total: { n: number; cpm: bigint },
  diffs: Difference[],
): void {
  const ch = f.clickhouse;
  const missing: string[] = [];
  const price: string[] = [];
  for (const [id, s] of all) {
    const row = ch.bids.get(id);
    if (row === undefined) missing.push(id);
    else if (row.cpm !== s.cpmMicros) price.push(id);
  }
  const extra = [...ch.bids.keys()].filter((id) => !all.has(id));
  if (missing.length > 0)
    diffs.push({
      check: 'clickhouse_missing',
      message: `${String(missing.length)} spend events have no row in ${ch.table}`,
      values: { bids: missing.length },
      sample: missing.slice(0, SAMPLE),
    });
  if (extra.length > 0)
    diffs.push({
      check: 'clickhouse_extra',
      message: `${String(extra.length)} bids in ${ch.table} have no spend event in any region's topic`,
      values: { bids: extra.length },
      sample: extra.slice(0, SAMPLE),
    });
  if (price.length > 0)
    diffs.push({
      check: 'clickhouse_price',
      message: `${String(price.length)} bids have another CPM in ${ch.table} than in their spend event`,
      values: { bids: price.length },
      sample: price.slice(0, SAMPLE),
    });
  const micros = exact(total.cpm).micros;
  // The per-bid listing and the SQL totals are separate queries: they must agree with the topics too.
  if (ch.total.bids !== total.n || ch.total.micros !== micros)
    diffs.push({
      check: 'clickhouse_totals',
      message: `${ch.table}: ${String(ch.total.bids)} distinct bids (${String(ch.total.micros)} micros), the topics ${String(total.n)} (${String(micros)} micros)`,
      values: {
        clickhouse_rows: ch.total.bids,
        spend_events: total.n,
        clickhouse_micros: ch.total.micros,
        spend_micros: micros,
      },
    });
}

/** The spend events of one campaign: what every region's ledger should hold for it. */
function expectedByCampaign(
  all: ReadonlyMap<string, SpendFact>,
): Map<string, { events: number; cpm: bigint }> {
  const out = new Map<string, { events: number; cpm: bigint }>();
  for (const s of all.values()) {
    const e = out.get(s.campaignId) ?? { events: 0, cpm: 0n };
    e.events++;
    e.cpm += BigInt(s.cpmMicros);
    out.set(s.campaignId, e);
  }
  return out;
}

function compareLedger(
  f: Facts,
  all: ReadonlyMap<string, SpendFact>,
  by: Record<string, RegionFigures>,
  diffs: Difference[],
): { micros: number | null; expected: number | null } {
  if ('skipped' in f.ledger) return { micros: null, expected: null };
  const ledger = f.ledger;
  const expected = expectedByCampaign(all);
  let expectedMicros = 0;
  let micros = 0;
  for (const c of ledger.campaigns) {
    const e = expected.get(c.id) ?? { events: 0, cpm: 0n };
    const ex = exact(e.cpm);
    expectedMicros += ex.micros;
    // The banker's view: the home region's ledger, else the first region that answered.
    const answers = f.regions
      .map((r) => ({ r, l: ledger.byRegion.get(r) }))
      .map(({ r, l }) => ({ r, t: l?.ok === true ? l.totals.get(c.id) : undefined }));
    const home =
      answers.find((a) => a.r === c.homeRegion && typeof a.t === 'object') ??
      answers.find((a) => typeof a.t === 'object');
    if (home && typeof home.t === 'object') micros += home.t.totalMicros;
    for (const { r, t } of answers) {
      if (t === undefined) continue;
      if (t === 'not_found') {
        diffs.push({
          check: 'ledger_missing_campaign',
          region: r,
          campaign: c.id,
          message: `${r}: the inventory does not know campaign ${c.id} (${String(e.events)} spend events)`,
          values: { spend_events: e.events },
        });
        continue;
      }
      if (!ledgerAgrees(t, e.events, ex))
        diffs.push({
          check: 'ledger_vs_spend',
          region: r,
          campaign: c.id,
          message: `${r}: ledger of ${c.id} holds ${String(t.events)} events, ${String(t.totalMicros)} micros${t.remainderNanos === null ? '' : ` + ${String(t.remainderNanos)} nanos`}; its spend events ${String(e.events)}, ${String(ex.micros)} micros + ${String(ex.nanos)} nanos`,
          values: {
            ledger_events: t.events,
            spend_events: e.events,
            ledger_micros: t.totalMicros,
            spend_micros: ex.micros,
          },
        });
    }
  }
  for (const r of f.regions) {
    const l = ledger.byRegion.get(r);
    const fig = by[r];
    if (l === undefined || fig === undefined) continue;
    if (!l.ok) {
      diffs.push({
        check: 'ledger_unavailable',
        region: r,
        message: `${r}: no ledger from the inventory at ${l.url}: ${l.reason}`,
      });
      continue;
    }
    let sum = 0;
    for (const t of l.totals.values()) if (t !== 'not_found') sum += t.totalMicros;
    fig.ledger_micros = sum;
  }
  return { micros, expected: expectedMicros };
}

function ledgerAgrees(
  t: LedgerTotals,
  events: number,
  ex: { micros: number; nanos: number },
): boolean {
  return (
    t.events === events &&
    t.totalMicros === ex.micros &&
    (t.remainderNanos === null || t.remainderNanos === ex.nanos)
  );
}
