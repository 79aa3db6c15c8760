import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type Publisher, type Redis, type StreamConsumer } from '@streambid/adapters';
import type { Spend } from '@streambid/contracts';
import { ProfileWriter } from '@streambid/profiles';
import { testRedis, testTopics, uniq } from '@streambid/testkit/services';
import type { BidderInstance } from '../bidder.js';
import {
  allowanceFor,
  bannerRequest,
  campaignFor,
  firstBid,
  get,
  post,
  publishCampaign,
  startBidderOnTopics,
  watchValues,
} from './harness.js';

describe('bidder against the real Kafka and Redis', () => {
  const { ns, topics } = testTopics();
  const prefix = `${uniq('bid')}:`;
  let pub: Publisher;
  let redis: Redis;
  let bidder: BidderInstance;
  let spendConsumer: StreamConsumer;
  const spends: Spend[] = [];

  beforeAll(async () => {
    const world = await startBidderOnTopics(ns, topics, prefix);
    ({ pub, bidder } = world);
    redis = testRedis('eu');
    spendConsumer = await watchValues<Spend>(world, topics, topics.spend, spends, 'bidder-test');
  });

  afterAll(async () => {
    await bidder.close();
    await spendConsumer.stop();
    await pub.close();
    redis.disconnect();
  });

  /** Publishes an active campaign with an allowance and waits until it is bid on. */
  async function live(domain: string, over: Parameters<typeof campaignFor>[1] = {}) {
    const c = campaignFor(domain, over);
    await publishCampaign(pub, topics, c);
    const first = await firstBid(bidder.port, domain, { timeoutMs: 5000 });
    return { c, first };
  }

  it('bids on a campaign within a second of its publication to the campaigns topic', async () => {
    const domain = `${uniq('site')}.example`;
    const c = campaignFor(domain);
    await publishCampaign(pub, topics, c);
    const req = bannerRequest(domain);
    const a = await waitFor(
      async () => {
        const r = await post(bidder.port, req);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 1000, intervalMs: 20, what: 'a bid' },
    );
    const bid = a.json?.seatbid?.[0]?.bid[0];
    expect(a.json?.id).toBe(req.id);
    expect(bid?.cid).toBe(c.id);
    expect(bid?.impid).toBe('1');
    expect(bid?.price).toBe(2); // second price: the campaign's max CPM
    expect(bid?.nurl).toContain('${AUCTION_PRICE}');
    expect(bid?.adm).toContain('/t/click?t=');
    expect(bid?.mtype).toBe(1);
  });

  it('stops bidding once the campaign is paused', async () => {
    const domain = `${uniq('site')}.example`;
    const { c } = await live(domain);
    await pub.publish(topics.campaigns, [
      { ...c, eventId: randomUUID(), version: 2, status: 'paused' },
    ]);
    await waitFor(async () => (await post(bidder.port, bannerRequest(domain))).status === 204, {
      timeoutMs: 5000,
      what: 'no bid after pause',
    });
  });

  it('never bids on a campaign without an allowance for this region', async () => {
    const domain = `${uniq('site')}.example`;
    const c = campaignFor(domain);
    await pub.publish(topics.budget, [allowanceFor(c, { region: 'us' })]);
    await pub.publish(topics.campaigns, [c]);
    // A second campaign published afterwards on the same partition key proves the view has both.
    const probe = campaignFor(`${uniq('probe')}.example`, { id: c.id + '-probe' });
    await pub.publish(topics.budget, [allowanceFor(probe)]);
    await pub.publish(topics.campaigns, [probe]);
    await waitFor(
      async () =>
        (await post(bidder.port, bannerRequest(probe.targeting.siteDomains?.[0] ?? ''))).status ===
        200,
      { timeoutMs: 5000 },
    );
    expect(bidder.views.index.get(c.id)).toBeDefined();
    expect((await post(bidder.port, bannerRequest(domain))).status).toBe(204);
  });

  it('stops bidding once the region has spent its allowance', async () => {
    const domain = `${uniq('site')}.example`;
    const c = campaignFor(domain);
    await pub.publish(topics.budget, [allowanceFor(c, { capMicros: 50_000 })]);
    await pub.publish(topics.campaigns, [c]);
    await waitFor(async () => (await post(bidder.port, bannerRequest(domain))).status === 200, {
      timeoutMs: 5000,
    });
    const spent: Spend = {
      eventId: randomUUID(),
      ts: Date.now(),
      region: 'eu',
      campaignId: c.id,
      creativeId: 'cr-1',
      bidId: 'external-bid',
      requestId: 'r',
      cpmMicros: 50_000_000,
      amountMicros: 50_000,
      currency: 'USD',
    };
    await pub.publish(topics.spend, [spent]);
    await waitFor(async () => (await post(bidder.port, bannerRequest(domain))).status === 204, {
      timeoutMs: 5000,
      what: 'no bid once spent',
    });
  });

  it('answers 204 to a blocklisted IP or site while other traffic still bids', async () => {
    const domain = `${uniq('site')}.example`;
    await live(domain);
    const blockedIp = '198.51.100.99';
    const expiresAt = Date.now() + 3_600_000;
    await pub.publish(topics.fraudBlocklist, [
      {
        eventId: randomUUID(),
        ts: Date.now(),
        kind: 'ip',
        value: blockedIp,
        score: 0.99,
        reasons: ['test'],
        expiresAt,
      },
    ]);
    const fromIp = () =>
      bannerRequest(domain, { device: { ip: blockedIp, devicetype: 2, geo: { country: 'DEU' } } });
    await waitFor(async () => (await post(bidder.port, fromIp())).status === 204, {
      timeoutMs: 5000,
      what: 'ip block',
    });
    expect((await post(bidder.port, bannerRequest(domain))).status).toBe(200);
    await pub.publish(topics.fraudBlocklist, [
      {
        eventId: randomUUID(),
        ts: Date.now(),
        kind: 'site',
        value: domain,
        score: 0.99,
        reasons: ['test'],
        expiresAt,
      },
    ]);
    await waitFor(async () => (await post(bidder.port, bannerRequest(domain))).status === 204, {
      timeoutMs: 5000,
      what: 'site block',
    });
  });

  it('stops bidding for a user whose frequency cap is reached in Redis', async () => {
    const domain = `${uniq('site')}.example`;
    const { c } = await live(domain, { frequencyCap: { perDay: 2 } });
    const writer = new ProfileWriter(redis, { keyPrefix: prefix });
    const capped = `u-${randomUUID()}`;
    const fresh = `u-${randomUUID()}`;
    const asUser = (u: string) => bannerRequest(domain, { user: { buyeruid: u } });
    expect((await post(bidder.port, asUser(capped))).status).toBe(200);
    await writer.recordImpression(capped, c.id);
    expect((await post(bidder.port, asUser(capped))).status).toBe(200);
    await writer.recordImpression(capped, c.id);
    expect((await post(bidder.port, asUser(capped))).status).toBe(204);
    expect((await post(bidder.port, asUser(fresh))).status).toBe(200);
  });

  it('bills on the billing notice, once however often it comes, and never on the win notice', async () => {
    const domain = `${uniq('site')}.example`;
    const { c, first } = await live(domain);
    const bid = first.json?.seatbid?.[0]?.bid[0];
    if (!bid?.nurl || !bid.burl) throw new Error('no nurl/burl');
    const nurl = bid.nurl.replace('${AUCTION_PRICE}', '1.5');
    const burl = bid.burl.replace('${AUCTION_PRICE}', '1.5');
    // OpenRTB 2.6: a win notice does not make the impression billable.
    expect(JSON.parse((await get(nurl)).body)).toEqual({ won: true, billed: false });
    const [a, b] = [await get(burl), await get(burl)];
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toEqual({ billed: true, duplicate: false });
    expect(b.status).toBe(200);
    expect(JSON.parse(b.body)).toEqual({ billed: false, duplicate: true });
    expect(JSON.parse((await get(nurl)).body)).toMatchObject({ billed: false });
    // A marker spend on the same key (same partition) after the notices bounds the wait.
    const marker = {
      eventId: randomUUID(),
      ts: Date.now(),
      region: 'eu' as const,
      campaignId: c.id,
      creativeId: 'cr-1',
      bidId: 'marker',
      requestId: 'm',
      cpmMicros: 1,
      amountMicros: 0,
      currency: 'USD',
    };
    await pub.publish(topics.spend, [marker]);
    await waitFor(() => spends.some((s) => s.eventId === marker.eventId), { timeoutMs: 10_000 });
    const billed = spends.filter((s) => s.bidId === bid.id);
    expect(billed).toHaveLength(1);
    expect(billed[0]).toMatchObject({
      campaignId: c.id,
      cpmMicros: 1_500_000,
      amountMicros: 1500,
      region: 'eu',
      notice: 'burl',
      exchange: 'default',
    });
  });

  it('refuses forged tokens, and a token taken from the ad markup on the billing tracker', async () => {
    const domain = `${uniq('site')}.example`;
    const { first } = await live(domain);
    const bid = first.json?.seatbid?.[0]?.bid[0];
    if (!bid?.burl) throw new Error('no burl');
    const burl = bid.burl.replace('${AUCTION_PRICE}', '1.5');
    const token = new URL(burl).searchParams.get('t') ?? '';
    const [kid, , tag] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify([2, `x${bid.id}`, 'r', '1', 'c', 'cr', 9e9]),
    ).toString('base64url');
    expect((await get(burl.replace(token, `${kid ?? ''}.${forged}.${tag ?? ''}`))).status).toBe(
      400,
    );
    // Anyone who sees the ad can read its impression and click URLs: they must not bill.
    const pixel = /<img src="([^"]+\/t\/imp[^"]+)"/.exec(bid.adm ?? '')?.[1] ?? '';
    const markupToken = new URL(pixel.replace(/&amp;/g, '&')).searchParams.get('t') ?? '';
    expect(markupToken).not.toBe('');
    const stolen = await get(burl.replace(token, markupToken).replace('price=1.5', 'price=0'));
    expect(stolen.status).toBe(400);
    expect(JSON.parse(stolen.body)).toMatchObject({ field: 't' });
    // The exchange's genuine notice is still billed.
    expect(JSON.parse((await get(burl)).body)).toEqual({ billed: true, duplicate: false });
  });

  it('redirects a click to the landing page and answers the impression pixel', async () => {
    const domain = `${uniq('site')}.example`;
    const { c, first } = await live(domain);
    const adm = first.json?.seatbid?.[0]?.bid[0]?.adm ?? '';
    const click = /href="([^"]+)"/.exec(adm)?.[1];
    const pixel = /<img src="([^"]+\/t\/imp[^"]+)"/.exec(adm)?.[1];
    if (!click || !pixel) throw new Error(`trackers missing in ${adm}`);
    const r = await get(click);
    expect(r.status).toBe(302);
    expect(r.location).toBe(c.creatives[0]?.landingUrl);
    expect((await get(pixel.replace(/&amp;/g, '&'))).status).toBe(200);
  });
});
