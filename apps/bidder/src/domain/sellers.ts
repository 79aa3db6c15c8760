import { z } from 'zod';
import { SellersJsonType, sellersJsonSellerSchema } from '@streambid/contracts';
import { domainKey } from '@streambid/reference-data';

/** `seller_type` of the IAB Tech Lab sellers.json specification (case-insensitive there). */
export const SellerType = SellersJsonType;
export type SellerType = SellersJsonType;

/**
 * A sellers.json document (IAB Tech Lab sellers.json 1.0): the fields the bidder reads are
 * checked (one schema with the `reference-sellers` topic's), the rest (`contact_email`,
 * `identifiers`, names, `ext`) pass. Seller ids are strings in the specification; numbers, which
 * some files carry, are read as their decimal text.
 */
export const sellersJsonSchema = z.looseObject({
  version: z.union([z.string(), z.number()]).optional(),
  sellers: z.array(sellersJsonSellerSchema.loose()).max(1_000_000),
});
export type SellersJson = z.infer<typeof sellersJsonSchema>;

/** A sellers.json text, validated; the error names the first wrong field. */
export function parseSellersJson(
  text: string,
): { ok: true; value: SellersJson } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message})` };
  }
  const r = sellersJsonSchema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return {
    ok: false,
    error: `${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`,
  };
}

/** What {@link SellersDirectory.load} reads of a sellers list: each seller's id and type. */
export interface SellersDoc {
  sellers: readonly { seller_id: string; seller_type: SellerType }[];
}

/**
 * The sellers lists of the ad systems we know, by ad-system domain (`schain.nodes[].asi`). Loaded
 * from files at start (`BIDDER_SELLERS_JSON`), and from the `reference-sellers` topic into a
 * directory whose `fallback` is the files' (`stream/reference.ts`): an ad system's list from the
 * topic replaces its file's. Lookups use Maps: seller ids are client strings and may be `__proto__`.
 */
export class SellersDirectory {
  private readonly systems = new Map<string, Map<string, SellerType>>();

  /** Consulted for an ad system this directory holds no list for. */
  constructor(private readonly fallback?: SellersDirectory) {}

  /** Ad systems held. */
  get size(): number {
    return this.systems.size;
  }

  /** Replaces the sellers list of the ad system `asi` (built first, then swapped in). */
  load(asi: string, doc: SellersDoc): void {
    const sellers = new Map<string, SellerType>();
    for (const s of doc.sellers) sellers.set(s.seller_id, s.seller_type);
    this.systems.set(domainKey(asi), sellers);
  }

  remove(asi: string): void {
    this.systems.delete(domainKey(asi));
  }

  /**
   * The seller's type when `asi` is an ad system we hold a list for: `null` when that list does not
   * name `sid`, `undefined` when we hold no list for `asi` (nothing to check against).
   */
  seller(asi: string, sid: string): SellerType | null | undefined {
    const sellers = this.systems.get(domainKey(asi));
    if (sellers === undefined) return this.fallback?.seller(asi, sid);
    return sellers.get(sid) ?? null;
  }
}
