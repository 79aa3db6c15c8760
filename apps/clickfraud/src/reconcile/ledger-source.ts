import { z } from 'zod';
import type { Region } from '@streambid/contracts';
import type { LedgerCampaign, LedgerTotals, RegionLedger, Window } from './facts.js';

/**
 * The inventory ledger (the banker's view) over each region's campaign API: `GET /campaigns`
 * lists, `GET /campaigns/:id/status` gives a campaign's spend totals. Only the fields read here are
 * checked; anything else the service sends is ignored.
 */

const listSchema = z.object({
  campaigns: z.array(
    z.object({
      id: z.string().min(1),
      homeRegion: z.string(),
      flight: z.object({ start: z.number(), end: z.number() }),
    }),
  ),
});

const statusSchema = z.object({
  spend: z.object({
    totalMicros: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    remainderNanos: z.number().int().min(0).max(999).optional(),
  }),
});

const TIMEOUT_MS = 10_000;

async function call(base: string, path: string, token: string): Promise<Response> {
  return fetch(`${base.replace(/\/+$/, '')}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}

async function json(res: Response, what: string): Promise<unknown> {
  if (res.status !== 200)
    throw new Error(`${what}: HTTP ${String(res.status)} ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

/**
 * Campaigns whose whole flight lies inside the window, from every region's campaign list: a ledger
 * is cumulative over a flight, so only these have all of their spend inside the window. The
 * regions that did not answer are returned as failures (their ledger counts as unavailable).
 */
export async function campaignsInWindow(
  urls: ReadonlyMap<Region, string>,
  token: string,
  window: Window,
): Promise<{ campaigns: LedgerCampaign[]; failed: Map<Region, string> }> {
  const found = new Map<string, LedgerCampaign>();
  const failed = new Map<Region, string>();
  for (const [region, base] of urls) {
    try {
      const list = listSchema.parse(await json(await call(base, '/campaigns', token), 'list'));
      for (const c of list.campaigns) {
        const inside =
          (window.fromMs === null || c.flight.start >= window.fromMs) &&
          (window.toMs === null || c.flight.end <= window.toMs);
        if (inside && !found.has(c.id)) found.set(c.id, { id: c.id, homeRegion: c.homeRegion });
      }
    } catch (err) {
      failed.set(region, describe(err));
    }
  }
  return {
    campaigns: [...found.values()].sort((a, b) => a.id.localeCompare(b.id)),
    failed,
  };
}

/** The spend totals of `campaigns` in one region's inventory. */
export async function readRegionLedger(
  base: string,
  token: string,
  campaigns: readonly LedgerCampaign[],
): Promise<RegionLedger> {
  const totals = new Map<string, LedgerTotals | 'not_found'>();
  try {
    // A few at a time: the service answers from memory, but the machine is shared.
    for (let i = 0; i < campaigns.length; i += 8)
      await Promise.all(
        campaigns.slice(i, i + 8).map(async (c) => {
          const res = await call(base, `/campaigns/${encodeURIComponent(c.id)}/status`, token);
          if (res.status === 404) {
            await res.arrayBuffer();
            totals.set(c.id, 'not_found');
            return;
          }
          const s = statusSchema.parse(await json(res, `status of ${c.id}`)).spend;
          totals.set(c.id, {
            events: s.events,
            totalMicros: s.totalMicros,
            remainderNanos: s.remainderNanos ?? null,
          });
        }),
      );
    return { ok: true, url: base, totals };
  } catch (err) {
    return { ok: false, url: base, reason: describe(err) };
  }
}

function describe(err: unknown): string {
  if (err instanceof z.ZodError)
    return `unexpected answer: ${err.issues[0]?.path.join('.') ?? ''} ${err.issues[0]?.message ?? ''}`;
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof cause === 'string'
    ? `${(err as Error).message} (${cause})`
    : (err as Error).message;
}
