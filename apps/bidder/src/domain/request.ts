import type { BidRequest } from '@streambid/contracts';

/**
 * The time (same clock as `arrival`) after which we answer no-bid: `tmax` covers the exchange's
 * whole round trip, so a share of it is left for the network.
 */
export function deadlineAt(arrival: number, tmaxMs: number, networkShare: number): number {
  return arrival + tmaxMs * (1 - networkShare);
}

/**
 * Whether user data may be used for this request: not for children (COPPA), and under GDPR only
 * with a consent string present (2.6 `user.consent`, 2.5 `user.ext.consent`, `regs.ext.gdpr`).
 */
export function profileAllowed(req: BidRequest): boolean {
  const regs = req.regs;
  if (regs?.coppa === 1) return false;
  const gdpr = regs?.gdpr ?? regs?.ext?.['gdpr'];
  if (gdpr !== 1) return true;
  const consent = req.user?.consent ?? req.user?.ext?.['consent'];
  return typeof consent === 'string' && consent.length > 0;
}
