import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafka,
  createPublisher,
  silentLogger,
  waitFor,
  type Publisher,
} from '@streambid/adapters';
import type { Spend } from '@streambid/contracts';
import { appPorts, setAppPortOffset, startStack, stopStack, type Stack } from '@streambid/loadtest';
import { mulberry32, openBannerRequest } from '@streambid/testkit';
import { createCampaign, inventory } from './inventory.js';

/**
 * Two regions with every app, replicated by MirrorMaker 2: the paths the multi-region design
 * promises, end to end through the real brokers, Redis and the real app processes.
 */
describe('two regions end to end', () => {
  let stack: Stack;
  let usSpend: Publisher;

  beforeAll(async () => {
    setAppPortOffset(3000); // this file's own ports: other e2e files run in parallel
    stack = await startStack({ regions: ['eu', 'us'], delayMs: 0, say: () => undefined });
    usSpend = await createPublisher(
      createKafka({
        clientId: 'e2e-us',
        brokers: [stack.brokers['us'] ?? ''],
        logger: silentLogger(),
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await usSpend.close();
    await stopStack(stack);
  });

  async function created(region: 'eu' | 'us', over: Record<string, unknown> = {}): Promise<string> {
    const { status, id } = await createCampaign(region, over);
    expect(status).toBe(201);
    return id;
  }

  it('a campaign created in eu is bid on by the us bidder', async () => {
    const id = await created('eu');
    const rng = mulberry32(11);
    // The campaign's high CPM wins an open 300x250 banner whenever the us bidder knows it.
    const bidFor = async (): Promise<string[]> => {
      const req = openBannerRequest(rng);
      const res = await fetch(`http://127.0.0.1:${String(appPorts('us').bidder)}/openrtb2/bid`, {
        method: 'POST',
        body: JSON.stringify(req),
      });
      if (res.status !== 200) return [];
      const body = (await res.json()) as { seatbid?: { bid: { cid?: string }[] }[] };
      return (body.seatbid ?? []).flatMap((s) => s.bid.map((b) => b.cid ?? ''));
    };
    const cids = await waitFor(
      async () => {
        const c = await bidFor();
        return c.includes(id) ? c : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `us bidder bidding on eu campaign ${id}` },
    );
    expect(cids).toContain(id);
  });

  it('reports replication lag per remote topic in /metrics of the us bidder and inventory', async () => {
    await created('eu');
    const remote = `eu.${stack.ns}campaigns`;
    const samples = async (port: number): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
      return text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('streambid_replication_lag_seconds_count') &&
            l.includes(`topic="${remote}"`),
        )
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    for (const port of [appPorts('us').inventory, appPorts('us').bidder]) {
      const n = await waitFor(async () => ((await samples(port)) > 0 ? samples(port) : null), {
        timeoutMs: 30_000,
        what: `lag samples on ${String(port)}`,
      });
      expect(n).toBeGreaterThan(0);
    }
  });

  it('spend in us reduces the allowance eu may spend', async () => {
    // A campaign late in its flight: pacing has released (almost) all of its budget.
    const now = Date.now();
    const id = await created('eu', {
      flight: { start: now - 10 * 3_600_000, end: now + 60_000 },
    });
    type Status = {
      spend: { totalMicros: number; byRegion: Record<string, number> };
      allowances: { region: string; capMicros: number }[] | null;
    };
    const status = async (): Promise<Status> =>
      (await (await inventory('eu', `/campaigns/${id}/status`)).json()) as Status;
    const headroom = (s: Status): number => {
      const eu = s.allowances?.find((a) => a.region === 'eu');
      return eu ? eu.capMicros - (s.spend.byRegion['eu'] ?? 0) : Number.NaN;
    };
    const before = await waitFor(
      async () => {
        const s = await status();
        return Number.isFinite(headroom(s)) && headroom(s) > 0 ? s : null;
      },
      { timeoutMs: 30_000, what: 'first eu allowance' },
    );
    const spends: Spend[] = Array.from({ length: 20 }, (_, i) => ({
      eventId: `e2e-spend-${id}-${String(i)}`,
      ts: Date.now(),
      region: 'us',
      campaignId: id,
      creativeId: `${id}-cr`,
      bidId: `e2e-spend-${id}-${String(i)}`,
      requestId: `r-${String(i)}`,
      cpmMicros: 1_000_000_000,
      amountMicros: 1_000_000,
      currency: 'USD',
    }));
    await usSpend.publish(stack.topics.spend, spends);
    const after = await waitFor(
      async () => {
        const s = await status();
        return (s.spend.byRegion['us'] ?? 0) === 20_000_000 ? s : null;
      },
      { timeoutMs: 30_000, what: 'us spend replicated to eu' },
    );
    await waitFor(async () => headroom(await status()) < headroom(before) - 15_000_000, {
      timeoutMs: 10_000,
      what: 'eu headroom shrinking',
    });
    expect(after.spend.totalMicros).toBe(20_000_000);
    expect(headroom(await status())).toBeLessThan(headroom(before));
  });
});
