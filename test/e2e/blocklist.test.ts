import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createPublisher, silentLogger, waitFor } from '@streambid/adapters';
import { appPorts, setAppPortOffset, startStack, stopStack, type Stack } from '@streambid/loadtest';
import { mulberry32, openBannerRequest } from '@streambid/testkit';
import { generateTraffic } from '@streambid/traffic';
import { clickfraud } from './clickfraud.js';
import { createCampaign } from './inventory.js';

describe('fraud blocklist reaches the bidder', () => {
  let stack: Stack;

  beforeAll(async () => {
    setAppPortOffset(4000); // this file's own ports: other e2e files run in parallel
    stack = await startStack({ regions: ['eu'], delayMs: 0, say: () => undefined });
  }, 240_000);
  afterAll(async () => {
    await stopStack(stack);
  });

  it('a site the clickfraud job blocklists gets 204 from the bidder', async () => {
    // A budget whose pace never refuses a bid here: the control request below must get 200
    // whatever the time between bids (a 50 USD hourly budget at a 40 USD CPM refills one bid
    // every ~3 s, faster than a quick replay).
    const res = await createCampaign('eu', { budget: { totalMicros: 50_000_000_000 } });
    expect(res.status).toBe(201);

    // Yesterday's traffic with a click farm on one site, as the trackers would have recorded it.
    const day = 86_400_000;
    const startTs = Math.floor(Date.now() / day) * day - day + 10 * 3_600_000;
    const traffic = generateTraffic({
      seed: 7,
      startTs,
      humanImpressions: 6000,
      bots: { click_farm: 300 },
      idPrefix: `e2e${stack.runId}`,
    });
    const pub = await createPublisher(
      createKafka({
        clientId: 'e2e-traffic',
        brokers: [stack.brokers['eu'] ?? ''],
        logger: silentLogger(),
      }),
    );
    try {
      for (let i = 0; i < traffic.impressions.length; i += 2000)
        await pub.publish(
          stack.topics.impressions,
          traffic.impressions.slice(i, i + 2000).map((x) => x.event),
        );
      await pub.publish(
        stack.topics.clicks,
        traffic.clicks.map((x) => x.event),
      );
    } finally {
      await pub.close();
    }

    const rng = mulberry32(3);
    const bidFrom = async (domain: string): Promise<number> => {
      const req = openBannerRequest(rng, domain);
      const r = await fetch(`http://127.0.0.1:${String(appPorts('eu').bidder)}/openrtb2/bid`, {
        method: 'POST',
        body: JSON.stringify(req),
      });
      await r.arrayBuffer();
      return r.status;
    };
    const farm = traffic.farmSite;
    await waitFor(async () => (await bidFrom(farm)) === 200, {
      timeoutMs: 30_000,
      what: 'bidder bidding on the farm site before scoring',
    });

    const from = new Date(startTs - 600_000).toISOString();
    const to = new Date(startTs + 2 * 3_600_000).toISOString();
    expect(
      await clickfraud(stack, `e2e_${stack.runId}`, [
        'replay',
        '--from',
        from,
        '--to',
        to,
        '--publish',
      ]),
    ).toBe(0);

    await waitFor(async () => (await bidFrom(farm)) === 204, {
      timeoutMs: 30_000,
      what: 'farm site blocked',
    });
    expect(await bidFrom(farm)).toBe(204);
    expect(await bidFrom('news.example.org')).toBe(200);
  }, 180_000);
});
