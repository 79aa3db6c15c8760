import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher, ensureTopics, type Publisher } from '@streambid/adapters';
import { testKafka, testTopics, uniq } from '@streambid/testkit/services';
import type { BidderInstance } from '../bidder.js';
import { lossLabel } from '../http/trackers.js';
import { campaignFor, firstBid, get, publishCampaign, startTestBidder } from './harness.js';

describe('trackers under hostile query strings (real Kafka and Redis)', () => {
  const { ns, topics } = testTopics();
  let pub: Publisher;
  let bidder: BidderInstance;
  let lurl = '';

  beforeAll(async () => {
    const kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    pub = await createPublisher(kafka);
    bidder = await startTestBidder(ns, `${uniq('trk')}:`);
    await bidder.caughtUp;
    const domain = `${uniq('site')}.example`;
    await publishCampaign(pub, topics, campaignFor(domain));
    const a = await firstBid(bidder.port, domain, { timeoutMs: 10_000 });
    lurl = a.json?.seatbid?.[0]?.bid[0]?.lurl ?? '';
  });

  afterAll(async () => {
    await bidder.close();
    await pub.close();
  });

  it('labels a loss by its OpenRTB code, and anything else the client sends as one "other"', async () => {
    const junk = Array.from({ length: 40 }, (_, i) => `x${String(i)}%C3%A9${'z'.repeat(i)}`);
    for (const loss of [...junk, '102', '%zz', '1e999']) {
      const r = await get(lurl.replace('${AUCTION_PRICE}', '1').replace('${AUCTION_LOSS}', loss));
      expect(r.status, loss).toBe(204);
    }
    const text = await (await fetch(`http://127.0.0.1:${String(bidder.port)}/metrics`)).text();
    const series = text.split('\n').filter((l) => l.startsWith('bidder_losses_total{'));
    // 40 distinct junk reasons used to make 40 series; now: 102 and other.
    expect(series.map((l) => /reason="([^"]*)"/.exec(l)?.[1]).sort()).toEqual(['102', 'other']);
  });

  it('labels losses by the spec’s codes, the exchange range, or other: a bounded set', () => {
    expect(
      ['0', '1', '102', '1001', undefined, '', '12345', '-1', '1.5', 'constructor', '999'].map(
        lossLabel,
      ),
    ).toEqual([
      '0',
      '1',
      '102',
      'exchange',
      'unknown',
      'other',
      'other',
      'other',
      'other',
      'other',
      'other',
    ]);
  });
});
