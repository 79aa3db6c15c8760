import { LIMITS, type Source } from '@streambid/contracts';
import { SellerType, type SellersDirectory } from './sellers.js';

/**
 * What a request's supply chain (`source.schain`, OpenRTB 2.6; `source.ext.schain`, 2.5) is
 * worth, as an ordered number so a campaign's requirement is one comparison:
 * absent < invalid < unknown seller < incomplete < complete < direct.
 */
export const ChainStatus = {
  /** No supply chain object. */
  absent: 0,
  /**
   * Not a valid SupplyChain: `complete` not 0/1, no nodes, more than `LIMITS.schainNodes`, or a
   * node without `asi`/`sid` (the 2.6 edge drops such a node list; 2.5's `ext` is checked here).
   */
  invalid: 1,
  /** Valid, but a node names a seller its ad system's sellers.json does not list. */
  unknownSeller: 2,
  /** Valid, `complete: 0`. */
  incomplete: 3,
  /** Valid, `complete: 1`, several nodes. */
  complete: 4,
  /**
   * Valid, complete, one node (the publisher sold through the exchange with no intermediary), and
   * where we hold that ad system's sellers.json, the seller is a publisher (PUBLISHER or BOTH).
   */
  direct: 5,
} as const;
export type ChainStatus = (typeof ChainStatus)[keyof typeof ChainStatus];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const idText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Judges the supply chain. The 2.6 object has been through the edge validator; the 2.5 one sits
 * in `ext`, which nothing validated, so every member is checked as untrusted here (typeof checks
 * only: no member of the prototype is named). Allocates nothing.
 */
export function assessSupplyChain(
  source: Source | undefined,
  sellers: SellersDirectory | undefined,
): ChainStatus {
  if (source === undefined) return ChainStatus.absent;
  let chain: unknown = source.schain;
  if (chain === undefined) {
    const ext: unknown = source.ext;
    if (!isRecord(ext) || !Object.hasOwn(ext, 'schain')) return ChainStatus.absent;
    chain = ext['schain'];
  }
  if (!isRecord(chain)) return ChainStatus.invalid;
  const complete = chain['complete'];
  const nodes = chain['nodes'];
  if ((complete !== 0 && complete !== 1) || !Array.isArray(nodes)) return ChainStatus.invalid;
  if (nodes.length === 0 || nodes.length > LIMITS.schainNodes) return ChainStatus.invalid;
  let known = true;
  let direct = nodes.length === 1;
  for (const n of nodes as unknown[]) {
    if (!isRecord(n)) return ChainStatus.invalid;
    const asi = n['asi'];
    const sid = n['sid'];
    const hp = n['hp'];
    if (!idText(asi, LIMITS.domain) || !idText(sid, LIMITS.id)) return ChainStatus.invalid;
    if (hp !== 0 && hp !== 1) return ChainStatus.invalid;
    if (sellers !== undefined) {
      const type = sellers.seller(asi, sid);
      if (type === null) known = false;
      else if (type === SellerType.intermediary) direct = false;
    }
  }
  if (!known) return ChainStatus.unknownSeller;
  if (complete === 0) return ChainStatus.incomplete;
  return direct ? ChainStatus.direct : ChainStatus.complete;
}
