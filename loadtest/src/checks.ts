/**
 * Checks on the bidder's responses, as k6's `check()`: each named check passes or fails per
 * sampled response (the schema) or per bid in it (floor, advertiser block list, impression id),
 * and the counts go into the summary per region. The schema check is the contract's own zod
 * schema (`bidResponseSchema`): ~2.5 µs per response on top of the JSON.parse the exchange does
 * anyway (measured with a 1-bid 1 KB response), cheap enough to check every response.
 */
import { bidResponseSchema } from '@streambid/contracts';

/** The checks, by the name they carry in the summary. */
export const CHECK_NAMES = [
  'response_schema',
  'response_id_echoes_request',
  'bid_impid_in_request',
  'price_at_least_floor',
  'adomain_not_in_badv',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** Passes and failures of each check. */
export type CheckCounts = Record<CheckName, { passes: number; fails: number }>;

export const emptyCheckCounts = (): CheckCounts =>
  Object.fromEntries(CHECK_NAMES.map((n) => [n, { passes: 0, fails: 0 }])) as CheckCounts;

/** What the checks need of a request, taken once when its body is built. */
export interface RequestFacts {
  id: string;
  /** Floor of each impression in USD; absent: no floor, or one in a currency we cannot convert. */
  floorsUsd: ReadonlyMap<string, number | undefined>;
  /** `badv`, lower-cased. */
  badv: ReadonlySet<string>;
}

/** USD per unit of each currency the simulated exchange converts floors with. */
export type FxTable = Readonly<Record<string, number>>;

/** The facts of a request for {@link checkResponse} (floors converted to USD with `fx`). */
export function requestFacts(
  req: {
    id: string;
    imp: readonly { id: string; bidfloor?: number; bidfloorcur?: string }[];
    badv?: readonly string[];
    cur?: readonly string[];
  },
  fx: FxTable,
): RequestFacts {
  const floorsUsd = new Map<string, number | undefined>();
  for (const imp of req.imp) {
    const rate = fx[imp.bidfloorcur ?? 'USD'];
    floorsUsd.set(
      imp.id,
      imp.bidfloor === undefined ? 0 : rate === undefined ? undefined : imp.bidfloor * rate,
    );
  }
  return { id: req.id, floorsUsd, badv: new Set((req.badv ?? []).map((d) => d.toLowerCase())) };
}

/** One bid as the checks see it. */
interface CheckedBid {
  impid: string;
  price: number;
  adomain?: readonly string[];
}

/** The verdict on one bid: which checks it failed (empty: none). */
export type BidVerdict = CheckName[];

/**
 * Runs every check on a parsed response and adds the outcomes to `counts`. Returns the failed
 * checks of each bid (by position in the flattened `seatbid[].bid[]`), so the exchange can drop
 * the bids it would reject. Prices are compared in USD: the response's `cur`, converted with `fx`
 * (a currency `fx` does not know skips the floor check rather than failing it).
 */
export function checkResponse(
  resp: unknown,
  req: RequestFacts,
  fx: FxTable,
  counts: CheckCounts,
): BidVerdict[] {
  const tally = (name: CheckName, ok: boolean): boolean => {
    if (ok) counts[name].passes++;
    else counts[name].fails++;
    return ok;
  };
  tally('response_schema', bidResponseSchema.safeParse(resp).success);
  if (typeof resp !== 'object' || resp === null) return [];
  const r = resp as { id?: unknown; cur?: unknown; seatbid?: unknown };
  tally('response_id_echoes_request', r.id === req.id);
  const rate = fx[typeof r.cur === 'string' ? r.cur : 'USD'];
  const verdicts: BidVerdict[] = [];
  for (const b of bidsOf(r.seatbid)) {
    // A bid without an impid or a numeric price failed the schema check already.
    if (b === null) {
      verdicts.push(['response_schema']);
      continue;
    }
    const failed: CheckName[] = [];
    const known = req.floorsUsd.has(b.impid);
    if (!tally('bid_impid_in_request', known)) failed.push('bid_impid_in_request');
    const floor = req.floorsUsd.get(b.impid);
    if (known && floor !== undefined && rate !== undefined)
      if (!tally('price_at_least_floor', b.price * rate >= floor - 1e-6))
        failed.push('price_at_least_floor');
    const blocked = (b.adomain ?? []).some((d) => req.badv.has(d.toLowerCase()));
    if (!tally('adomain_not_in_badv', !blocked)) failed.push('adomain_not_in_badv');
    verdicts.push(failed);
  }
  return verdicts;
}

/** Every bid of `seatbid` in order; null for one without the fields the checks read. */
function bidsOf(seatbid: unknown): (CheckedBid | null)[] {
  if (!Array.isArray(seatbid)) return [];
  const out: (CheckedBid | null)[] = [];
  for (const sb of seatbid as unknown[]) {
    const bids = (sb as { bid?: unknown } | null)?.bid;
    if (!Array.isArray(bids)) continue;
    for (const b of bids as unknown[]) {
      const x = b as { impid?: unknown; price?: unknown; adomain?: unknown } | null;
      if (typeof x?.impid !== 'string' || typeof x.price !== 'number') {
        out.push(null);
        continue;
      }
      const adomain = Array.isArray(x.adomain)
        ? (x.adomain as unknown[]).filter((d): d is string => typeof d === 'string')
        : undefined;
      out.push({ impid: x.impid, price: x.price, ...(adomain ? { adomain } : {}) });
    }
  }
  return out;
}

/** Adds `b`'s counts into `a`. */
export function addCheckCounts(a: CheckCounts, b: CheckCounts): void {
  for (const n of CHECK_NAMES) {
    a[n].passes += b[n].passes;
    a[n].fails += b[n].fails;
  }
}

/** Passes over all checks made (1 when none were made: nothing failed). */
export function passRate(c: CheckCounts): number {
  let pass = 0;
  let all = 0;
  for (const n of CHECK_NAMES) {
    pass += c[n].passes;
    all += c[n].passes + c[n].fails;
  }
  return all === 0 ? 1 : pass / all;
}

/** Whether a sampled share `share` of requests picks request `i` (evenly spread, no RNG draw). */
export const sampled = (i: number, share: number): boolean =>
  share >= 1 || Math.floor((i + 1) * share) > Math.floor(i * share);
