import type { NoBid } from './no-bid.js';
import type { CreativeEntry } from './campaign-index.js';
import { mismatch, type ImpFacts, type RequestFacts } from './matching.js';

/** A creative that may bid on an impression, at the price we would bid. */
export interface Candidate {
  e: CreativeEntry;
  /** Price we would bid, USD micros CPM. */
  priceUsd: number;
  dealId: string | undefined;
}

/** Price for a candidate given its floor and the auction type; undefined when it cannot clear. */
export function priceFor(
  maxUsd: number,
  floorUsd: number,
  at: number,
  shade: number,
): number | undefined {
  if (maxUsd < floorUsd || maxUsd <= 0) return undefined;
  if (at === 3) return floorUsd > 0 ? floorUsd : undefined; // fixed price at the deal floor
  if (at === 1) return Math.max(floorUsd, Math.round(maxUsd * shade));
  return maxUsd; // second price: bid our value, pay the clearing price
}

/** What the open-market walk needs about the impression. */
export interface OpenMarket {
  /** Buckets in probe order, each sorted by `bucketOrder`. */
  buckets: readonly (readonly CreativeEntry[])[];
  imp: ImpFacts;
  facts: RequestFacts;
  now: number;
  floorUsd: number;
  at: number;
  shade: number;
}

/**
 * An impression's candidates in auction order: price descending, ties in the order they were
 * found (deal candidates, then the open-market buckets in probe order, each in arrival order).
 * Deal candidates come checked and sorted; open-market candidates are read lazily from buckets
 * sorted by max price, so a request usually checks a handful of campaigns instead of all of them.
 * The result is the same as checking every campaign and sorting stably by price.
 */
export class CandidateList {
  private readonly out: Candidate[] = [];
  private di = 0;
  private nextOpen: Candidate | undefined;
  private openDone: boolean;
  private readonly pos: number[];
  /** Open-market candidates of one price, found but not yet checked. */
  private group: { e: CreativeEntry; rank: number }[] = [];
  private gi = 0;
  private groupPrice = 0;

  constructor(
    private readonly deals: readonly Candidate[],
    private readonly open: OpenMarket | undefined,
    /** A deal candidate failed a check. */
    private mismatched: boolean,
    /** A deal candidate matched but could not clear its floor. */
    private belowFloor: boolean,
  ) {
    this.openDone = open === undefined;
    this.pos = open === undefined ? [] : open.buckets.map(() => 0);
  }

  /** The i-th candidate (checking as many campaigns as it takes), or undefined past the last. */
  at(i: number): Candidate | undefined {
    while (this.out.length <= i) {
      const c = this.pull();
      if (c === undefined) return undefined;
      this.out.push(c);
    }
    return this.out[i];
  }

  /** Why there is no candidate at all: `below_floor`, `no_match` or `no_candidates`. */
  reason(): NoBid {
    while (this.pull() !== undefined);
    this.checkBelowFloor();
    return this.belowFloor ? 'below_floor' : this.mismatched ? 'no_match' : 'no_candidates';
  }

  private pull(): Candidate | undefined {
    if (this.nextOpen === undefined && !this.openDone) this.nextOpen = this.nextOpenCandidate();
    const d = this.deals[this.di];
    const o = this.nextOpen;
    // Equal prices: deals were found first.
    if (d !== undefined && (o === undefined || d.priceUsd >= o.priceUsd)) {
      this.di++;
      return d;
    }
    this.nextOpen = undefined;
    return o;
  }

  private priceOf(e: CreativeEntry): number | undefined {
    const m = this.open as OpenMarket;
    const max = e.ic.maxUsdMicros;
    return max === undefined ? undefined : priceFor(max, m.floorUsd, m.at, m.shade);
  }

  private nextOpenCandidate(): Candidate | undefined {
    const m = this.open as OpenMarket;
    for (;;) {
      while (this.gi < this.group.length) {
        const g = this.group[this.gi++] as { e: CreativeEntry; rank: number };
        if (mismatch(g.e, m.imp, m.facts, m.now) === undefined)
          return { e: g.e, priceUsd: this.groupPrice, dealId: undefined };
        this.mismatched = true;
      }
      if (!this.nextGroup()) {
        this.openDone = true;
        return undefined;
      }
    }
  }

  /** Takes every bucket head at the best remaining price; false once no priced entry is left. */
  private nextGroup(): boolean {
    const m = this.open as OpenMarket;
    let best: number | undefined;
    for (let b = 0; b < m.buckets.length; b++) {
      const e = m.buckets[b]?.[this.pos[b] as number];
      const p = e === undefined ? undefined : this.priceOf(e);
      if (p !== undefined && (best === undefined || p > best)) best = p;
    }
    if (best === undefined) return false;
    const group: { e: CreativeEntry; rank: number }[] = [];
    for (let b = 0; b < m.buckets.length; b++) {
      const list = m.buckets[b] as readonly CreativeEntry[];
      let i = this.pos[b] as number;
      for (; i < list.length; i++) {
        const e = list[i] as CreativeEntry;
        if (this.priceOf(e) !== best) break;
        group.push({ e, rank: b });
      }
      this.pos[b] = i;
    }
    // Within one price: probe order, then arrival; an entry in several buckets counts once.
    group.sort((x, y) => x.rank - y.rank || x.e.seq - y.e.seq);
    if (group.length > 1) {
      const seen = new Set<CreativeEntry>();
      this.group = group.filter((g) => !seen.has(g.e) && seen.add(g.e));
    } else this.group = group;
    this.gi = 0;
    this.groupPrice = best;
    return true;
  }

  /** After the priced entries ran out: does any unpriced one match (then the floor is the reason)? */
  private checkBelowFloor(): void {
    const m = this.open;
    if (this.belowFloor || m === undefined) return;
    for (let b = 0; b < m.buckets.length; b++) {
      const list = m.buckets[b] as readonly CreativeEntry[];
      for (let i = this.pos[b] as number; i < list.length; i++) {
        if (mismatch(list[i] as CreativeEntry, m.imp, m.facts, m.now) === undefined) {
          this.belowFloor = true;
          return;
        }
        this.mismatched = true;
      }
    }
  }
}
