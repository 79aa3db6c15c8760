import { addImpression, addSpend, ZERO_SPEND, type SpendSum } from './money.js';

/**
 * How far apart in event time two copies of one spend event (same id) can be: a retry of a bid
 * counted just before a cut can land just after it. Ids this long before a cut are kept, so such
 * a copy is recognised. Copies made by producer retries and replication share their `ts`; only
 * a second spend event written for the same bid has another one.
 */
export const SPEND_DEDUPE_MARGIN_MS = 15 * 60_000;

/** A cumulative total up to a cut: every spend event with `ts < cutTs`, counted once. */
export interface SpendCut {
  cutTs: number;
  sum: SpendSum;
  /** Distinct spend events counted. */
  events: number;
}

/** What became of one spend event: added, a copy of one already seen, or within a total's cut. */
export type SpendOutcome = 'counted' | 'duplicate' | 'covered';

export interface RegionSpendOptions {
  /** @default SPEND_DEDUPE_MARGIN_MS */
  marginMs?: number;
  /**
   * Keep ids (and report first sightings) of events since this time too, for a caller that
   * attributes them otherwise (spend per day): ids are kept from
   * `min(cutTs − marginMs, keepIdsFrom(cutTs))`. @default keep only the margin
   */
  keepIdsFrom?: (cutTs: number) => number;
}

interface Entry {
  /** Earliest event time among the copies seen. */
  ts: number;
  cpm: number;
}

/** `sum` without one impression at `cpmMicros` that it holds (exact; the inverse of addImpression). */
function withoutImpression(sum: SpendSum, cpmMicros: number): SpendSum {
  let micros = sum.micros - Math.floor(cpmMicros / 1000);
  let nanos = sum.nanos - (cpmMicros % 1000);
  if (nanos < 0) {
    nanos += 1000;
    micros -= 1;
  }
  return { micros, nanos };
}

/**
 * One region's spend of one campaign, rebuilt from that region's latest `spend-totals` record plus
 * the tail of its spend stream: total = the record's sum + every distinct event with
 * `ts ≥ cutTs`. Events before the cut are in the record and are not added; those within
 * `marginMs` before it only remember their id, so a later copy of one is not counted.
 *
 * The result depends only on which records were seen, not on their order: a total that arrives
 * after the events takes back the events it covers, an older total than the one held is ignored,
 * and each id counts at the earliest event time any of its copies has. So a rebuild gives the
 * same figure whether the totals or the events are read first, and whether the spend topic
 * still holds the history before the cut or retention has deleted it. Pure and in memory.
 */
export class RegionSpend {
  private base: SpendCut = { cutTs: Number.NEGATIVE_INFINITY, sum: ZERO_SPEND, events: 0 };
  /** Ids of events since `floor`, with the earliest event time seen. */
  private readonly ids = new Map<string, Entry>();
  /** The subset of `ids` at or after the cut: added on top of the total. */
  private readonly tail = new Set<string>();
  private tailSum: SpendSum = ZERO_SPEND;
  private floor = Number.NEGATIVE_INFINITY;
  /** Earliest event time among `ids` (may be stale low): a prune is needed only below the floor. */
  private earliest = Number.POSITIVE_INFINITY;
  private sealed = false;
  private readonly marginMs: number;
  /** Copies of events already seen that were not counted again. */
  duplicates = 0;

  constructor(private readonly opts: RegionSpendOptions = {}) {
    this.marginMs = opts.marginMs ?? SPEND_DEDUPE_MARGIN_MS;
  }

  /** Cut of the total held; -Infinity before any. */
  get cutTs(): number {
    return this.base.cutTs;
  }

  /** The latest total applied (events before its cut). */
  get cut(): Readonly<SpendCut> {
    return this.base;
  }

  /** Whether an event with this id was seen (within the kept window). */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Ids held for dedupe (memory watch). */
  get trackedIds(): number {
    return this.ids.size;
  }

  /** Exact spend: the total plus the events after its cut. */
  total(): SpendSum {
    return addSpend(this.base.sum, this.tailSum);
  }

  /** Distinct events counted. */
  get events(): number {
    return this.base.events + this.tail.size;
  }

  /**
   * Adds one spend event unless a copy was seen or a total covers it. `first` is true for the
   * first copy of an id since the kept window began, whatever the outcome.
   */
  applyEvent(id: string, ts: number, cpmMicros: number): { outcome: SpendOutcome; first: boolean } {
    if (this.sealed) {
      this.duplicates++;
      return { outcome: 'duplicate', first: false };
    }
    const seen = this.ids.get(id);
    if (seen) {
      this.duplicates++;
      if (ts < seen.ts) {
        // The id counts at its earliest copy: one before the cut is in the total already.
        seen.ts = ts;
        if (ts < this.base.cutTs && this.tail.delete(id))
          this.tailSum = withoutImpression(this.tailSum, seen.cpm);
      }
      return { outcome: 'duplicate', first: false };
    }
    if (ts < this.floor) return { outcome: 'covered', first: false };
    this.ids.set(id, { ts, cpm: cpmMicros });
    if (ts < this.earliest) this.earliest = ts;
    if (ts < this.base.cutTs) return { outcome: 'covered', first: true };
    this.tail.add(id);
    this.tailSum = addImpression(this.tailSum, cpmMicros);
    return { outcome: 'counted', first: true };
  }

  /**
   * Takes a total if its cut is later than the one held (older ones and copies are ignored);
   * events it covers leave the tail. Returns whether it was taken.
   */
  applyTotal(t: {
    cutTs: number;
    totalMicros: number;
    remainderNanos: number;
    events: number;
  }): boolean {
    if (this.sealed || t.cutTs <= this.base.cutTs) return false;
    this.base = {
      cutTs: t.cutTs,
      sum: { micros: t.totalMicros, nanos: t.remainderNanos },
      events: t.events,
    };
    for (const id of this.tail) {
      const e = this.ids.get(id);
      if (e && e.ts < t.cutTs) {
        this.tail.delete(id);
        this.tailSum = withoutImpression(this.tailSum, e.cpm);
      }
    }
    const keep = this.opts.keepIdsFrom?.(t.cutTs) ?? Number.POSITIVE_INFINITY;
    const floor = Math.min(t.cutTs - this.marginMs, keep);
    if (floor > this.floor) {
      this.floor = floor;
      if (this.earliest < floor) this.prune();
    }
    return true;
  }

  private prune(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [id, e] of this.ids) {
      if (e.ts < this.floor) this.ids.delete(id);
      else if (e.ts < earliest) earliest = e.ts;
    }
    this.earliest = earliest;
  }

  /**
   * The total a writer may publish for `cutTs` (not before the cut held), or undefined when it
   * would count nothing more than the total held. Valid only once every event with `ts < cutTs`
   * has been applied.
   */
  cutAt(cutTs: number): SpendCut | undefined {
    if (this.sealed || cutTs <= this.base.cutTs) return undefined;
    let sum = this.base.sum;
    let events = this.base.events;
    for (const id of this.tail) {
      const e = this.ids.get(id);
      if (e && e.ts < cutTs) {
        sum = addImpression(sum, e.cpm);
        events++;
      }
    }
    return events === this.base.events ? undefined : { cutTs, sum, events };
  }

  /**
   * Freezes the figure and drops every id (a finished flight): later events are ignored as
   * duplicates, later totals too.
   */
  seal(): void {
    this.base = { cutTs: this.base.cutTs, sum: this.total(), events: this.events };
    this.tail.clear();
    this.tailSum = ZERO_SPEND;
    this.ids.clear();
    this.sealed = true;
  }
}
