import type { BillingNotice } from '@streambid/contracts';

/** What the bidder knows about one exchange it bids on. */
export interface ExchangeConfig {
  id: string;
  /**
   * The notice that makes a win billable. OpenRTB 2.6: the billing notice (`burl`); an exchange
   * that never calls `burl` is configured to bill on the win notice (`nurl`).
   */
  billOn: BillingNotice;
  /**
   * How a no-bid is answered: HTTP 204 (the default: least bytes), or, for an exchange that
   * reads a body, `{"id", "seatbid": [], "nbr"}` with the reason code (OpenRTB 2.6 §7.1).
   */
  noBid: '204' | 'nbr';
}

/** The exchange of `POST /openrtb2/bid` (no exchange in the path). */
export const DEFAULT_EXCHANGE = 'default';

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Parses `id:billOn[:noBid]` entries (`default:burl,ssp-x:nurl:nbr`); the default exchange bills
 * on `burl` and answers a no-bid with 204 unless listed. Returns an error message on bad input.
 */
export function parseExchanges(spec: string): ReadonlyMap<string, ExchangeConfig> | string {
  const out = new Map<string, ExchangeConfig>([
    [DEFAULT_EXCHANGE, { id: DEFAULT_EXCHANGE, billOn: 'burl', noBid: '204' }],
  ]);
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const [id = '', billOn = 'burl', noBid = '204', ...rest] = p.split(':');
    if (!ID.test(id) || rest.length > 0)
      return `expected id:burl|nurl[:204|nbr] entries with ids of lower-case letters, digits, - and _; got ${JSON.stringify(p)}`;
    if (billOn !== 'burl' && billOn !== 'nurl')
      return `exchange ${id}: billOn must be burl or nurl, got ${JSON.stringify(billOn)}`;
    if (noBid !== '204' && noBid !== 'nbr')
      return `exchange ${id}: the no-bid answer must be 204 or nbr, got ${JSON.stringify(noBid)}`;
    out.set(id, { id, billOn, noBid });
  }
  return out;
}
