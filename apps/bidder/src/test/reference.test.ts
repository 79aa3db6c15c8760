import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher, ensureTopics, waitFor, type Publisher } from '@streambid/adapters';
import type {
  BidRequest,
  BotRules,
  DatacentreRanges,
  DeadLetter,
  SellersList,
} from '@streambid/contracts';
import { testKafka, testTopics, uniq } from '@streambid/testkit/services';
import {
  bannerRequest,
  campaignFor,
  BROWSER,
  type NbrReply,
  CHROME,
  bidNbr,
  firstBid,
  NBR_EXCHANGE,
  publishCampaign,
  spawnHealthyBidder,
  watchValues,
  type SpawnedBidder,
} from './harness.js';
import type { StreamConsumer } from '@streambid/adapters';

/** `bidder_reference_version{list}` of each worker: worker → version. */
async function versions(port: number, list: string): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^bidder_reference_version\{([^}]*)\} (\d+)/gm)) {
    const labels = m[1] ?? '';
    if (!labels.includes(`list="${list}"`)) continue;
    const worker = /worker="([^"]+)"/.exec(labels)?.[1] ?? '?';
    out[worker] = Number(m[2]);
  }
  return out;
}

const head = (version: number, effectiveFrom: number) => ({
  eventId: randomUUID(),
  ts: Date.now(),
  version,
  effectiveFrom,
  source: 'reference.test.ts',
});

describe('reference data from its topics in `npm run bidder` (two workers, child process)', () => {
  const { ns, topics } = testTopics();
  const domain = `${uniq('refdata')}.example`;
  let bidder: SpawnedBidder;
  let port: number;
  let pub: Publisher;
  let deadLetters: StreamConsumer;
  const dead: DeadLetter[] = [];

  const request = (over: Partial<BidRequest> = {}, device: Partial<typeof BROWSER> = {}) =>
    bannerRequest(domain, { device: { ...BROWSER, ...device }, ...over });

  /** `n` requests in a row (spread over both workers) all answered the same way. */
  async function every(
    n: number,
    req: () => BidRequest,
    ok: (r: NbrReply) => boolean,
  ): Promise<boolean> {
    for (let i = 0; i < n; i++) if (!ok(await bidNbr(port, req()))) return false;
    return true;
  }
  const refused = (nbr: number) => (r: NbrReply) =>
    r.json?.seatbid?.length === 0 && r.json.nbr === nbr;
  const bidOn = (r: NbrReply) => (r.json?.seatbid?.[0]?.bid.length ?? 0) > 0;

  beforeAll(async () => {
    const kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    pub = await createPublisher(kafka);
    deadLetters = await watchValues({ kafka, pub }, topics, topics.deadLetter, dead, uniq('dl'));
    await publishCampaign(pub, topics, campaignFor(domain));
    bidder = await spawnHealthyBidder({
      ns,
      profilePrefix: `${uniq('rd')}:`,
      env: { BIDDER_EXCHANGES: `default:burl,${NBR_EXCHANGE}:burl:nbr` },
      stdout: 'ignore',
    });
    port = bidder.port;
    await firstBid(port, domain, { over: { device: BROWSER }, timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await bidder.stop();
    await deadLetters.stop();
    await pub.close();
  });

  it('applies the built-in lists until a topic version arrives', async () => {
    expect(await every(6, () => request(), bidOn)).toBe(true);
    expect(await every(4, () => request({}, { ip: '3.80.1.2' }), refused(5))).toBe(true);
    expect(await versions(port, 'datacentre')).toEqual({ '0': 0, '1': 0 });
  });

  it('puts a new data-centre version in force in every worker within seconds, replacing the built-in ranges', async () => {
    const v1: DatacentreRanges = {
      ...head(1, Date.now() - 60_000),
      ranges: [
        { cidr: '203.0.113.0/24', provider: 'test-cloud' },
        { cidr: '2001:db8:ab::/48', provider: 'test-cloud' },
      ],
    };
    const t0 = Date.now();
    await pub.publish(topics.referenceDatacentre, [v1]);
    await waitFor(
      async () => {
        const v = await versions(port, 'datacentre');
        return v['0'] === 1 && v['1'] === 1;
      },
      { timeoutMs: 10_000, what: 'version 1 in force in both workers' },
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await every(8, () => request(), refused(5))).toBe(true);
    const v6 = request({}, { ipv6: '2001:db8:ab::9' });
    delete v6.device?.ip;
    expect(refused(5)(await bidNbr(port, v6))).toBe(true);
    // The built-in AWS range is not in version 1: that address is bid on now.
    expect(await every(4, () => request({}, { ip: '3.80.1.2' }), bidOn)).toBe(true);
  });

  it('dead-letters a version with a malformed range and keeps the one in force', async () => {
    const bad: DatacentreRanges = {
      ...head(7, Date.now() - 1000),
      ranges: [{ cidr: '999.1.2.0/24', provider: 'typo' }],
    };
    await pub.publish(topics.referenceDatacentre, [bad]);
    const letter = await waitFor(
      () => dead.find((d) => d.sourceTopic === topics.referenceDatacentre.name),
      { timeoutMs: 15_000, what: 'a dead letter for the malformed version' },
    );
    expect(letter.reason).toContain('ranges.0.cidr');
    expect(await versions(port, 'datacentre')).toEqual({ '0': 1, '1': 1 });
    expect(await every(4, () => request(), refused(5))).toBe(true);
    expect(bidder.exitCode()).toBeNull();
  });

  it('switches to a version scheduled for later only when its time comes', async () => {
    const at = Date.now() + 3000;
    const v2: DatacentreRanges = {
      ...head(2, at),
      ranges: [{ cidr: '198.18.0.0/15', provider: 'test-cloud' }],
    };
    await pub.publish(topics.referenceDatacentre, [v2]);
    // Before its time, version 1 holds (checked while at least a second is left).
    while (Date.now() < at - 1000) {
      expect(refused(5)(await bidNbr(port, request()))).toBe(true);
      expect(Object.values(await versions(port, 'datacentre'))).toEqual([1, 1]);
    }
    await waitFor(
      async () => {
        const v = await versions(port, 'datacentre');
        return v['0'] === 2 && v['1'] === 2;
      },
      { timeoutMs: 10_000, what: 'version 2 in force in both workers' },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    expect(await every(6, () => request(), bidOn)).toBe(true);
    expect(await every(4, () => request({}, { ip: '198.19.0.1' }), refused(5))).toBe(true);
  });

  it('puts new bot rules in force, beyond isbot', async () => {
    // A token neither isbot nor the built-in rules know.
    const token = `Zq${randomUUID().slice(0, 8)}Tok`;
    const agent = `${CHROME} ${token}/3`;
    expect(await every(4, () => request({}, { ua: agent }), bidOn)).toBe(true);
    const scraper = `${CHROME} scrapy`;
    expect(refused(3)(await bidNbr(port, request({}, { ua: scraper })))).toBe(true);
    const rules: BotRules = { ...head(1, Date.now() - 1000), patterns: [token.toLowerCase()] };
    await pub.publish(topics.referenceBots, [rules]);
    await waitFor(() => every(6, () => request({}, { ua: agent }), refused(3)), {
      timeoutMs: 10_000,
      what: 'the new bot rule refusing the agent',
    });
    // isbot still applies; the project's built-in rules (`scrapy`) were replaced.
    expect(refused(3)(await bidNbr(port, request({}, { ua: 'Googlebot/2.1' })))).toBe(true);
    expect(await every(4, () => request({}, { ua: scraper }), bidOn)).toBe(true);
  });

  it('checks sellers against a sellers list published to its topic', async () => {
    const chain = (sid: string) =>
      request({
        source: {
          schain: { complete: 1, ver: '1.0', nodes: [{ asi: 'ref-ssp.example', sid, hp: 1 }] },
        },
      });
    // No list for that ad system yet: sellers unchecked.
    expect(await every(4, () => chain('pub-2'), bidOn)).toBe(true);
    const list: SellersList = {
      ...head(1, Date.now() - 1000),
      asi: 'REF-SSP.example',
      sellers: [{ seller_id: 'pub-1', seller_type: 'PUBLISHER' }],
    };
    await pub.publish(topics.referenceSellers, [list]);
    await waitFor(() => every(6, () => chain('pub-2'), refused(17)), {
      timeoutMs: 10_000,
      what: 'the sellers list in force',
    });
    expect(await every(4, () => chain('pub-1'), bidOn)).toBe(true);
  });
});
