import type { BillingAck, Region, Spend } from '@streambid/contracts';

/**
 * The `i`-th billed bid of a test: CPMs with sub-micro parts (`cpm % 1000` ≠ 0 for most), so
 * exact sums (floor(Σ cpm / 1000)) and per-event whole micros differ.
 */
export function spendEvent(
  tag: string,
  i: number,
  opts: { ts: number; region?: Region; campaignId?: string },
): Spend {
  const bidId = `bid-${tag}-${String(i)}`;
  const cpmMicros = 1_000_000 + ((i * 7_919) % 4_000_000) + ((i * 37) % 1000);
  return {
    eventId: bidId,
    ts: opts.ts,
    region: opts.region ?? 'eu',
    campaignId: opts.campaignId ?? 'camp-1',
    creativeId: 'cr-1',
    bidId,
    requestId: `req-${tag}-${String(i)}`,
    cpmMicros,
    amountMicros: Math.floor(cpmMicros / 1000),
    currency: 'USD',
    notice: 'burl',
    exchange: 'test-exchange',
  };
}

/** floor(Σ cpm / 1000): the exact spend of a set of events. */
export function exactMicros(events: readonly Spend[]): number {
  return Number(events.reduce((a, s) => a + BigInt(s.cpmMicros), 0n) / 1000n);
}

/** One bidder process's acknowledgements of one minute, as its compacted `billing-acks` entry. */
export function ackEntry(
  region: Region,
  instance: string,
  minute: number,
  billed: readonly Spend[],
  ts = minute + 30_000,
): BillingAck {
  return {
    eventId: `${instance}-${String(minute)}-${String(ts)}`,
    ts,
    region,
    instance,
    minute,
    acked: billed.length,
    ackedMicros: billed.reduce((a, s) => a + s.amountMicros, 0),
    ackedCpmMicros: billed.reduce((a, s) => a + s.cpmMicros, 0),
  };
}

/** Acknowledgement entries for `billed`, one per minute of their event times, for one instance. */
export function acksFor(region: Region, instance: string, billed: readonly Spend[]): BillingAck[] {
  const byMinute = new Map<number, Spend[]>();
  for (const s of billed) {
    const m = Math.floor(s.ts / 60_000) * 60_000;
    byMinute.set(m, [...(byMinute.get(m) ?? []), s]);
  }
  return [...byMinute].map(([m, list]) => ackEntry(region, instance, m, list));
}
