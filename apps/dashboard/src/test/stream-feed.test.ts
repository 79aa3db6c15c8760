import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, silentLogger, waitFor, type Publisher } from '@streambid/adapters';
import type { Region } from '@streambid/contracts';
import { makeCampaign, makeSpend } from '@streambid/testkit';
import { brokerFor, openPublisher, testKafka, testTopics } from '@streambid/testkit/services';
import { StreamFeed } from '../stream-feed.js';
import { StreamView } from '../stream-view.js';

/** The dashboard's stream view fed from two real clusters under a fresh namespace. */
describe('the dashboard stream feed', () => {
  const { topics } = testTopics();
  const regions: Region[] = ['eu', 'us'];
  const view = new StreamView();
  const publishers = new Map<Region, Publisher>();
  let feed: StreamFeed;
  const campaign = makeCampaign({ budget: { totalMicros: 5_000_000 } });

  beforeAll(async () => {
    const wanted = [
      topics.campaigns,
      topics.budget,
      topics.spend,
      topics.spendTotals,
      topics.fraudBlocklist,
      topics.deadLetter,
    ];
    for (const r of regions) {
      const kafka = testKafka(r);
      await ensureTopics(kafka, wanted);
      publishers.set(r, await openPublisher(kafka, wanted));
    }
    feed = new StreamFeed({
      brokers: new Map(regions.map((r) => [r, brokerFor(r)])),
      topics,
      view,
      logger: silentLogger(),
    });
    await feed.start();
  }, 120_000);

  afterAll(async () => {
    await feed.stop();
    for (const p of publishers.values()) await p.close();
  });

  const pub = (r: Region): Publisher => publishers.get(r) as Publisher;

  it('shows a campaign’s spend per region against its budget and allowance as they arrive', async () => {
    expect(feed.status().map((s) => [s.region, s.state])).toEqual([
      ['eu', 'running'],
      ['us', 'running'],
    ]);
    await pub('eu').publish(topics.campaigns, [campaign]);
    await pub('us').publish(topics.budget, [
      {
        eventId: randomUUID(),
        ts: Date.now(),
        campaignId: campaign.id,
        region: 'us',
        capMicros: 2_000_000,
        paceMicrosPerSec: 10,
        exhausted: false,
      },
    ]);
    // Two impressions in us (one sent twice, as a producer retry would), one in eu.
    const twice = makeSpend({ campaignId: campaign.id, region: 'us', cpmMicros: 3_000_000 });
    await pub('us').publish(topics.spend, [
      twice,
      twice,
      makeSpend({ campaignId: campaign.id, region: 'us', cpmMicros: 1_000_000 }),
    ]);
    await pub('eu').publish(topics.spend, [
      makeSpend({ campaignId: campaign.id, region: 'eu', cpmMicros: 2_000_000 }),
    ]);
    const row = await waitFor(
      () => {
        const r = view.topCampaigns('us', 5).find((c) => c.id === campaign.id);
        return r && r.globalSpendMicros === 6000 && r.allowanceMicros !== null ? r : null;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the campaign’s spend in the view' },
    );
    expect(row).toEqual({
      id: campaign.id,
      name: campaign.name,
      homeRegion: 'eu',
      spendMicros: 4000,
      allowanceMicros: 2_000_000,
      globalSpendMicros: 6000,
      budgetMicros: 5_000_000,
    });
  });

  it('lists a blocked site in the region that holds it until it is unblocked', async () => {
    const site = `farm-${randomUUID().slice(0, 6)}.example`;
    const entry = {
      eventId: randomUUID(),
      ts: Date.now(),
      kind: 'site' as const,
      value: site,
      score: 0.97,
      reasons: ['click_injection'],
      expiresAt: Date.now() + 3_600_000,
    };
    await pub('eu').publish(topics.fraudBlocklist, [entry]);
    await waitFor(() => view.topInvalidSites('eu', 5, Date.now()).some((s) => s.site === site), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the blocked site in the eu view',
    });
    expect(view.topInvalidSites('eu', 5, Date.now())).toEqual([
      { site, score: 0.97, reasons: ['click_injection'] },
    ]);
    await pub('eu').tombstone(topics.fraudBlocklist, `site:${site}`);
    await waitFor(() => view.blocklistSize('eu', Date.now()) === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the unblocked site leaving the eu view',
    });
    expect(view.topInvalidSites('eu', 5, Date.now())).toEqual([]);
  });
});
