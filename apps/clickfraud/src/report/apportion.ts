/**
 * Whole micros of spend for report rows that add up exactly. A campaign's exact spend is
 * floor(Σ cpm / 1000) micros (what every ledger holds, `reconcile`'s `ledger_micros`); a row that
 * holds part of a campaign (an hour, a publisher) has a fractional share of it. Flooring each row
 * would lose up to a micro per row; instead each campaign's whole micros are shared among its
 * parts by largest remainder (Hamilton's method): every part gets floor(its cpm / 1000), and the
 * micros left over go one each to the parts with the largest remainders (ties: by key). So the
 * rows of a campaign add up to its exact spend, and every row is within a micro of its exact share.
 */

/** One row's part of one campaign: the summed CPM micros (1000 × spend micros) of its bids. */
export interface SpendPart {
  key: string;
  campaign: string;
  cpm: bigint;
}

/** Whole spend micros per key; Σ over keys = Σ over campaigns of floor(Σ cpm / 1000). */
export function apportionSpend(parts: readonly SpendPart[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const byCampaign = new Map<string, SpendPart[]>();
  for (const p of parts) {
    out.set(p.key, out.get(p.key) ?? 0n);
    const list = byCampaign.get(p.campaign);
    if (list) list.push(p);
    else byCampaign.set(p.campaign, [p]);
  }
  for (const list of byCampaign.values()) {
    const total = list.reduce((a, p) => a + p.cpm, 0n) / 1000n;
    let given = 0n;
    for (const p of list) {
      const whole = p.cpm / 1000n;
      given += whole;
      out.set(p.key, (out.get(p.key) ?? 0n) + whole);
    }
    // Σ floor ≤ floor Σ, and the difference is below the number of parts.
    const left = Number(total - given);
    const ranked = [...list].sort((a, b) => {
      const ra = a.cpm % 1000n;
      const rb = b.cpm % 1000n;
      return ra === rb ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : rb > ra ? 1 : -1;
    });
    for (let i = 0; i < left; i++) {
      const p = ranked[i];
      if (p) out.set(p.key, (out.get(p.key) ?? 0n) + 1n);
    }
  }
  return out;
}
