/**
 * The time (same clock as `arrival`) after which we answer no-bid: `tmax` covers the exchange's
 * whole round trip, so a share of it is left for the network.
 */
export function deadlineAt(arrival: number, tmaxMs: number, networkShare: number): number {
  return arrival + tmaxMs * (1 - networkShare);
}

/**
 * `regs.ext.dsa.dsarequired` (IAB DSA Transparency extension): 0 not required, 1 supported,
 * 2 required, 3 required and the publisher is an online platform. Anything else counts as 0.
 */
export function dsaRequired(regsExt: Readonly<Record<string, unknown>> | undefined): 0 | 1 | 2 | 3 {
  const dsa = regsExt?.['dsa'];
  if (typeof dsa !== 'object' || dsa === null) return 0;
  const v = (dsa as Record<string, unknown>)['dsarequired'];
  return v === 1 || v === 2 || v === 3 ? v : 0;
}
