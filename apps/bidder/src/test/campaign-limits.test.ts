import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type Publisher, type StreamConsumer } from '@streambid/adapters';
import { indexEntriesOf, LIMITS, type Campaign, type DeadLetter } from '@streambid/contracts';
import { countryCodes } from '@streambid/testkit';
import { testTopics, uniq } from '@streambid/testkit/services';
import type { BidderInstance } from '../bidder.js';
import {
  allowanceFor,
  bannerRequest,
  campaignFor,
  get,
  post,
  startBidderOnTopics,
  watchValues,
} from './harness.js';

describe('bidder reading a campaign over the index limit from the log (real Kafka)', () => {
  const { ns, topics } = testTopics();
  let pub: Publisher;
  let bidder: BidderInstance;
  let dlq: StreamConsumer;
  const deadLetters: DeadLetter[] = [];

  beforeAll(async () => {
    const world = await startBidderOnTopics(ns, topics, `${uniq('lim')}:`);
    ({ pub, bidder } = world);
    dlq = await watchValues<DeadLetter>(
      world,
      topics,
      topics.deadLetter,
      deadLetters,
      'limits-test',
    );
  });

  afterAll(async () => {
    await bidder.close();
    await dlq.stop();
    await pub.close();
  });

  it('skips, dead-letters and counts the oversize campaign while serving the others', async () => {
    const okDomain = `${uniq('ok')}.example`;
    const bigDomain = `${uniq('big')}.example`;
    const ok = campaignFor(okDomain);
    const base = campaignFor(bigDomain);
    const cr = base.creatives[0] as Campaign['creatives'][number];
    // Written by something other than the API: it passes the topic schema (each list is within
    // its limit), but 2 × 256 × 9 index entries are over LIMITS.indexEntriesPerCampaign.
    const big: Campaign = {
      ...base,
      creatives: [cr, { ...cr, id: 'cr-2' }],
      targeting: {
        ...base.targeting,
        countries: countryCodes(LIMITS.targetCountries),
        deviceTypes: [0, 1, 2, 3, 4, 5, 6, 7, 8],
      },
    };
    expect(indexEntriesOf(big)).toBeGreaterThan(LIMITS.indexEntriesPerCampaign);
    await pub.publish(topics.budget, [allowanceFor(ok), allowanceFor(big)]);
    await pub.publish(topics.campaigns, [big, ok]);

    const dead = await waitFor(() => deadLetters.find((d) => d.key === big.id), {
      timeoutMs: 10_000,
      what: 'the oversize campaign dead-lettered',
    });
    expect(dead).toMatchObject({
      service: 'bidder',
      sourceTopic: topics.campaigns.name,
      reason: expect.stringContaining('index_entries') as string,
    });
    expect((JSON.parse(dead.value ?? '{}') as Campaign).id).toBe(big.id);
    const refused = await bidder.views.campaignsRefused?.get();
    expect(refused?.values).toContainEqual(
      expect.objectContaining({ labels: { reason: 'index_entries' }, value: 1 }),
    );

    await waitFor(async () => (await post(bidder.port, bannerRequest(okDomain))).status === 200, {
      timeoutMs: 5000,
      what: 'a bid for the campaign within limits',
    });
    // The view has read the oversize one (it was dead-lettered): it must not bid.
    expect((await post(bidder.port, bannerRequest(bigDomain))).status).toBe(204);
    expect(bidder.views.index.get(big.id)?.c.version).toBe(1);
    expect((await get(`http://127.0.0.1:${String(bidder.port)}/healthz`)).status).toBe(200);
  });
});
