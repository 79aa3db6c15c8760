import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  createPublisher,
  ensureTopics,
  listTopics,
  waitFor,
  type Publisher,
} from '@streambid/adapters';
import {
  remoteTopicName,
  type BidEvent,
  type Bid,
  type Spend,
  type TopicDef,
} from '@streambid/contracts';
import {
  brokerFor,
  endpoints,
  readAll as readTopic,
  testKafka,
  testTopics,
  uniq,
} from '@streambid/testkit/services';
import type { BidderInstance } from '../bidder.js';
import type { bannerRequest } from './harness.js';
import { campaignFor, firstBid, get, publishCampaign, startTestBidder } from './harness.js';

/** Reads a topic to its end (a private view) and returns its values. */
const readAll = <T>(
  kafka: Kafka,
  dlq: Publisher,
  topic: TopicDef,
  name = topic.name,
): Promise<T[]> => readTopic<T>(kafka, dlq, { ...topic, name }, 'billing-test');

const fill = (url: string | undefined, price = '1.5'): string =>
  (url ?? '').replace('${AUCTION_PRICE}', price);

describe('billing: exactly once through the log, on the billing notice', () => {
  const { ns, topics } = testTopics();
  const prefix = `${uniq('bill')}:`;
  let eu: Kafka;
  let us: Kafka;
  let pubEu: Publisher;
  let pubUs: Publisher;
  const open: BidderInstance[] = [];

  const bidderIn = async (region: 'eu' | 'us', env: Record<string, string> = {}) => {
    const b = await startTestBidder(ns, prefix, {
      REGION: region,
      KAFKA_BROKERS: brokerFor(region),
      REDIS_URL: endpoints().redis[region] ?? '',
      BIDDER_REQUIRE_ALLOWANCE: 'false',
      ...env,
    });
    open.push(b);
    await b.caughtUp;
    return b;
  };

  beforeAll(async () => {
    eu = testKafka('eu');
    us = testKafka('us');
    await ensureTopics(eu, Object.values(topics));
    await ensureTopics(us, Object.values(topics));
    pubEu = await createPublisher(eu);
    pubUs = await createPublisher(us);
    // Each region's billing ledger reads the other's spend: its remote copy must exist first.
    await waitFor(
      async () =>
        (await listTopics(eu)).includes(remoteTopicName('us', topics.spend.name)) &&
        (await listTopics(us)).includes(remoteTopicName('eu', topics.spend.name)),
      { timeoutMs: 60_000, what: 'MirrorMaker 2 copies of the spend topics' },
    );
  });

  afterAll(async () => {
    for (const b of open) await b.close().catch(() => undefined);
    await pubEu.close();
    await pubUs.close();
  });

  /** A campaign in both regions (written in eu, replicated to us) and a first bid from `b`. */
  async function bidFrom(b: BidderInstance, over: Parameters<typeof bannerRequest>[1] = {}) {
    const domain = `${uniq('site')}.example`;
    await publishCampaign(pubEu, topics, campaignFor(domain));
    const a = await firstBid(b.port, domain, { over, timeoutMs: 30_000 });
    const bid = a.json?.seatbid?.[0]?.bid[0];
    if (!bid) throw new Error('no bid');
    return bid;
  }

  const spendsOf = async (k: Kafka, dlq: Publisher, bid: Bid): Promise<Spend[]> =>
    (await readAll<Spend>(k, dlq, topics.spend)).filter((s) => s.bidId === bid.id);

  it('gives a billing notice the same answer after a bidder restart, and writes one spend event', async () => {
    const first = await bidderIn('eu');
    const bid = await bidFrom(first);
    expect(JSON.parse((await get(fill(bid.burl))).body)).toEqual({
      billed: true,
      duplicate: false,
    });
    await first.close();
    const second = await bidderIn('eu');
    expect(second.port).not.toBe(0);
    const again = await get(fill(bid.burl).replace(/:\d+\//, `:${String(second.port)}/`));
    expect(JSON.parse(again.body)).toEqual({ billed: false, duplicate: true });
    expect(await spendsOf(eu, pubEu, bid)).toHaveLength(1);
    await second.close();
  });

  it('bills a notice for a bid made in another region once, and that region then answers duplicate', async () => {
    const euB = await bidderIn('eu');
    const usB = await bidderIn('us');
    const bid = await bidFrom(euB);
    // Failover: the exchange sends the billing notice to the other region's bidder.
    const toUs = fill(bid.burl).replace(/:\d+\//, `:${String(usB.port)}/`);
    expect(JSON.parse((await get(toUs)).body)).toEqual({ billed: true, duplicate: false });
    const billedInUs = await spendsOf(us, pubUs, bid);
    expect(billedInUs).toMatchObject([{ region: 'us', bidId: bid.id }]);
    // Once us's spend has reached eu, eu knows the bid is billed.
    await waitFor(
      async () =>
        (
          await readAll<Spend>(eu, pubEu, topics.spend, remoteTopicName('us', topics.spend.name))
        ).some((s) => s.bidId === bid.id),
      { timeoutMs: 60_000, what: 'the us spend replicated to eu' },
    );
    const toEu = fill(bid.burl).replace(/:\d+\//, `:${String(euB.port)}/`);
    await waitFor(async () => JSON.parse((await get(toEu)).body).duplicate === true, {
      timeoutMs: 10_000,
      what: 'eu answers duplicate',
    });
    expect(await spendsOf(eu, pubEu, bid)).toEqual([]);
    expect(await spendsOf(us, pubUs, bid)).toHaveLength(1);
  });

  it('answers test traffic as usual but never bills it, and flags its events', async () => {
    const b = await bidderIn('eu');
    const bid = await bidFrom(b, { test: 1 });
    expect(JSON.parse((await get(fill(bid.nurl))).body)).toEqual({ won: true, billed: false });
    expect(JSON.parse((await get(fill(bid.burl))).body)).toEqual({ billed: false, test: true });
    await waitFor(
      async () => (await readAll<BidEvent>(eu, pubEu, topics.bids)).some((e) => e.bidId === bid.id),
      { timeoutMs: 10_000, what: 'the bid event' },
    );
    const ev = (await readAll<BidEvent>(eu, pubEu, topics.bids)).find((e) => e.bidId === bid.id);
    expect(ev?.test).toBe(true);
    expect(await spendsOf(eu, pubEu, bid)).toEqual([]);
  });

  it('loses nothing and doubles nothing while Kafka is slowed through the delay proxy', async () => {
    const control = 'http://127.0.0.1:9113/delay';
    const before = (await (await fetch(control)).json()) as { delayMs: number };
    // Through the replication listener every connection of this bidder crosses the eu delay proxy.
    const b = await bidderIn('eu', {
      KAFKA_BROKERS: '127.0.0.1:9102',
      BIDDER_BILLING_DEADLINE_MS: '300',
      BIDDER_SPEND_QUEUE_MAX: '2',
    });
    const bids: Bid[] = [];
    for (let i = 0; i < 6; i++) bids.push(await bidFrom(b));
    const answers = new Map<string, string[]>();
    try {
      await fetch(`${control}?ms=800`, { method: 'PUT' });
      // All at once: some wait past the deadline, some find the spend queue full.
      const first = await Promise.all(bids.map((bid) => get(fill(bid.burl))));
      first.forEach((r, i) => answers.set(bids[i]?.id ?? '', [String(r.status)]));
      expect(first.some((r) => r.status === 503)).toBe(true);
      for (const r of first.filter((x) => x.status === 503)) {
        expect(JSON.parse(r.body)).toMatchObject({ retriable: true });
      }
    } finally {
      await fetch(`${control}?ms=${String(before.delayMs)}`, { method: 'PUT' });
    }
    // The exchange retries until it gets an answer that is not "try again".
    for (const bid of bids)
      await waitFor(
        async () => {
          const r = await get(fill(bid.burl));
          answers.get(bid.id)?.push(String(r.status));
          if (r.status !== 200) return false;
          const body = JSON.parse(r.body) as { billed: boolean; duplicate: boolean };
          return body.billed || body.duplicate;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `bid ${bid.id} billed` },
      );
    const spends = (await readAll<Spend>(eu, pubEu, topics.spend)).filter((s) =>
      bids.some((bid) => bid.id === s.bidId),
    );
    // Every bid billed, none twice.
    expect(new Set(spends.map((s) => s.bidId)).size).toBe(bids.length);
    expect(spends).toHaveLength(bids.length);
  });

  it('holds the token rules on running bidders: a rotated key only in its grace period, and expiry', async () => {
    const first = { id: 'k1', secret: 'first-secret-0123456789' };
    const at = (b: BidderInstance, url: string | undefined): string =>
      fill(url).replace(/:\d+\//, `:${String(b.port)}/`);
    const answer = async (url: string): Promise<{ status: number; json: unknown }> => {
      const r = await get(url);
      return { status: r.status, json: JSON.parse(r.body) };
    };
    const before = await bidderIn('eu', {
      BIDDER_TRACKING_SECRET: first.secret,
      BIDDER_TRACKING_KEY_ID: first.id,
    });
    const [inGrace, afterGrace] = [await bidFrom(before), await bidFrom(before)];
    await before.close();

    const rotated = {
      BIDDER_TRACKING_SECRET: 'second-secret-0123456789',
      BIDDER_TRACKING_KEY_ID: 'k2',
    };
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const grace = await bidderIn('eu', {
      ...rotated,
      BIDDER_TRACKING_PREVIOUS_KEYS: `${first.id}:${first.secret}@${later}`,
    });
    expect(await answer(at(grace, inGrace.burl))).toEqual({
      status: 200,
      json: { billed: true, duplicate: false },
    });
    await grace.close();

    const ended = new Date(Date.now() - 1000).toISOString();
    const expiring = await bidderIn('eu', {
      ...rotated,
      BIDDER_TRACKING_PREVIOUS_KEYS: `${first.id}:${first.secret}@${ended}`,
      BIDDER_NOTICE_TTL_S: '1',
    });
    expect(await answer(at(expiring, afterGrace.burl))).toMatchObject({
      status: 400,
      json: { field: 't', error: 'tracking token signed with a key no longer accepted' },
    });
    // A token of the current key, a second past the notice window.
    const stale = await bidFrom(expiring);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await answer(fill(stale.burl))).toMatchObject({
      status: 400,
      json: { field: 't', error: 'tracking token expired' },
    });
    expect(await spendsOf(eu, pubEu, afterGrace)).toHaveLength(0);
    expect(await spendsOf(eu, pubEu, stale)).toHaveLength(0);
    await expiring.close();
  });
});
