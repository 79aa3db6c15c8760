import { z } from 'zod';
import { LIMITS } from '@streambid/contracts';
import { domainKey } from '@streambid/reference-data';

/** `seller_type` of the IAB Tech Lab sellers.json specification (case-insensitive there). */
export const SellerType = {
  publisher: 'PUBLISHER',
  intermediary: 'INTERMEDIARY',
  both: 'BOTH',
} as const;
export type SellerType = (typeof SellerType)[keyof typeof SellerType];

const sellerType = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(SellerType));

/**
 * A sellers.json document (IAB Tech Lab sellers.json 1.0): the fields the bidder reads are
 * checked, the rest (`contact_email`, `identifiers`, names, `ext`) pass. Seller ids are strings in
 * the specification; numbers, which some files carry, are read as their decimal text.
 */
export const sellersJsonSchema = z.looseObject({
  version: z.union([z.string(), z.number()]).optional(),
  sellers: z
    .array(
      z.looseObject({
        seller_id: z
          .union([z.string().min(1).max(LIMITS.id), z.number().int().nonnegative()])
          .transform(String),
        seller_type: sellerType,
        is_confidential: z.union([z.literal(0), z.literal(1)]).optional(),
        is_passthrough: z.union([z.literal(0), z.literal(1)]).optional(),
        domain: z.string().max(LIMITS.domain).optional(),
        name: z.string().optional(),
      }),
    )
    .max(1_000_000),
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

/**
 * The sellers lists of the ad systems we know, by ad-system domain (`schain.nodes[].asi`). Loaded
 * from files at start (`BIDDER_SELLERS_JSON`); `load` and `remove` are what a compacted
 * reference-data topic will call later. Lookups use Maps: seller ids are client strings and may
 * be `__proto__`.
 */
export class SellersDirectory {
  private readonly systems = new Map<string, Map<string, SellerType>>();

  /** Ad systems held. */
  get size(): number {
    return this.systems.size;
  }

  /** Replaces the sellers list of the ad system `asi`. */
  load(asi: string, doc: SellersJson): void {
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
    if (sellers === undefined) return undefined;
    return sellers.get(sid) ?? null;
  }
}
