import { randomUUID } from 'node:crypto';
import type { Region } from '@streambid/contracts';
import { appPorts, campaignBody, INVENTORY_TOKEN } from '@streambid/loadtest';

/** A call to a running stack's inventory API in `region`, authenticated. */
export function inventory(region: Region, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${String(appPorts(region).inventory)}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${INVENTORY_TOKEN}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
}

/**
 * Creates a 300x250 campaign with a high CPM (it wins any open banner it is eligible for) in its
 * home region; returns the HTTP status and the campaign id.
 */
export async function createCampaign(
  region: Region,
  over: Record<string, unknown> = {},
): Promise<{ status: number; id: string }> {
  const id = `e2e-${randomUUID().slice(0, 8)}`;
  const body = {
    ...campaignBody({
      id,
      i: 0,
      budgetMicros: 50_000_000,
      flightEnd: Date.now() + 3_600_000,
      perDayCap: undefined,
    }),
    bidCpmMicros: 40_000_000,
    ...over,
  };
  const res = await inventory(region, '/campaigns', { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, id };
}
