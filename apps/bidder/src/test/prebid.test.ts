import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher, ensureTopics, waitFor, type Publisher } from '@streambid/adapters';
import type { BidRequest, BlocklistEntry } from '@streambid/contracts';
import { testKafka, testTopics, uniq } from '@streambid/testkit/services';
import {
  bannerRequest,
  campaignFor,
  BROWSER,
  bidNbr,
  firstBid,
  NBR_EXCHANGE,
  publishCampaign,
  spawnHealthyBidder,
  type SpawnedBidder,
} from './harness.js';

/** `bidder_prebid_ivt_total` summed over the workers, by reason. */
async function ivtCounts(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^bidder_prebid_ivt_total\{([^}]*)\} (\d+)/gm)) {
    const reason = /reason="([^"]+)"/.exec(m[1] ?? '')?.[1];
    if (reason !== undefined) out[reason] = (out[reason] ?? 0) + Number(m[2]);
  }
  return out;
}

const entry = (kind: BlocklistEntry['kind'], value: string): BlocklistEntry => ({
  eventId: randomUUID(),
  ts: Date.now(),
  kind,
  value,
  score: 1,
  reasons: ['test'],
  expiresAt: Date.now() + 3_600_000,
});

describe('pre-bid filtering in `npm run bidder` (two workers, child process)', () => {
  const { ns, topics } = testTopics();
  const domain = `${uniq('prebid')}.example`;
  const directDomain = `${uniq('direct')}.example`;
  const blockedSite = `${uniq('blocked')}.example`;
  let bidder: SpawnedBidder;
  let port: number;
  let pub: Publisher;
  /** Requests sent per reason, to hold the metric to. */
  const sent: Record<string, number> = {};

  /** A request on the test's site from a browser, with `device` and the rest overridden. */
  const request = (over: Partial<BidRequest> = {}, device: Partial<typeof BROWSER> = {}) =>
    bannerRequest(domain, { device: { ...BROWSER, ...device }, ...over });

  async function expectNoBid(reason: string, nbr: number, req: BidRequest): Promise<void> {
    const r = await bidNbr(port, req);
    expect(r.status, reason).toBe(200);
    expect(r.json?.seatbid, reason).toEqual([]);
    expect(r.json?.nbr, reason).toBe(nbr);
    sent[reason] = (sent[reason] ?? 0) + 1;
  }

  beforeAll(async () => {
    const kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    pub = await createPublisher(kafka);
    await publishCampaign(pub, topics, campaignFor(domain));
    await publishCampaign(pub, topics, campaignFor(directDomain, { supplyChain: 'direct' }));
    // Written in spellings that differ from the requests': the keys are normalised on both sides.
    await pub.publish(topics.fraudBlocklist, [
      entry('ip', '::ffff:198.51.100.99'),
      entry('site', `${blockedSite.toUpperCase()}.`),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'prebid-sellers-'));
    const sellers = join(dir, 'ssp-sellers.json');
    writeFileSync(
      sellers,
      JSON.stringify({
        version: '1.0',
        sellers: [
          { seller_id: 'pub-1', seller_type: 'PUBLISHER', domain: directDomain },
          { seller_id: 'reseller-1', seller_type: 'INTERMEDIARY' },
        ],
      }),
    );
    bidder = await spawnHealthyBidder({
      ns,
      profilePrefix: `${uniq('pb')}:`,
      env: {
        BIDDER_EXCHANGES: `default:burl,${NBR_EXCHANGE}:burl:nbr`,
        BIDDER_PREBID_NON_BROWSER: 'flag',
        BIDDER_SELLERS_JSON: `ssp.example=${sellers}`,
      },
      stdout: 'ignore',
    });
    port = bidder.port;
    await firstBid(port, domain, { over: { device: BROWSER }, timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await bidder.stop();
    await pub.close();
  });

  it('bids on a browser from a residential address with no flag', async () => {
    const r = await bidNbr(port, request());
    const b = r.json?.seatbid?.[0]?.bid[0];
    expect(b?.price).toBe(2);
    expect(b?.ext?.['ivt']).toBeUndefined();
  });

  it('refuses declared bots and crawlers by user agent (nbr 3)', async () => {
    await expectNoBid('bot_ua', 3, request({}, { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1)' }));
    await expectNoBid('bot_ua', 3, request({}, { ua: 'python-requests/2.31.0' }));
  });

  it('refuses data-centre addresses, IPv4 and IPv6 (nbr 5)', async () => {
    await expectNoBid('datacentre', 5, request({}, { ip: '3.80.1.2' }));
    await expectNoBid('datacentre', 5, request({}, { ip: '::FFFF:3.80.1.2' }));
    const v6 = request({}, { ipv6: '2600:1f18:0:0::1' });
    delete v6.device?.ip;
    await expectNoBid('datacentre', 5, v6);
  });

  it('refuses an address that is no address (nbr 2)', async () => {
    await expectNoBid('invalid_ip', 2, request({}, { ip: '0x7f.0.0.1' }));
  });

  it('refuses blocklisted traffic whatever the spelling of the address or domain (nbr 4)', async () => {
    await expectNoBid('blocked', 4, request({}, { ip: '198.51.100.99' }));
    await expectNoBid('blocked', 4, request({}, { ip: '198.051.100.099' }));
    const spelt = `${blockedSite.replace(/^./, (c) => c.toUpperCase())}.`;
    await expectNoBid('blocked', 4, bannerRequest(spelt, { device: BROWSER }));
  });

  it('bids low and marked on a non-browser agent on web inventory, as configured', async () => {
    const r = await bidNbr(port, request({}, { ua: 'Roku/DVP-12.5 (12.5.0.4178)' }));
    const b = r.json?.seatbid?.[0]?.bid[0];
    // 0.1 × the 2.00 bid is under the 0.50 floor: the floor.
    expect(b?.price).toBe(0.5);
    expect(b?.ext?.['ivt']).toEqual({ reason: 'non_browser' });
    sent['non_browser'] = (sent['non_browser'] ?? 0) + 1;
  });

  it('refuses a malformed 2.5 supply chain (nbr 2) and an unlisted seller (nbr 17)', async () => {
    await expectNoBid(
      'schain_invalid',
      2,
      request({
        source: { ext: { schain: { complete: 1, nodes: [{ asi: 'ssp.example', hp: 1 }] } } },
      }),
    );
    await expectNoBid(
      'seller_unknown',
      17,
      request({
        source: {
          schain: {
            complete: 1,
            ver: '1.0',
            nodes: [{ asi: 'SSP.example', sid: 'nobody', hp: 1 }],
          },
        },
      }),
    );
  });

  it('bids for a campaign requiring a direct seller only on a one-node chain of a listed publisher', async () => {
    const chain = (nodes: { asi: string; sid: string; hp: 1 }[]) =>
      bannerRequest(directDomain, {
        device: BROWSER,
        source: { schain: { complete: 1, ver: '1.0', nodes } },
      });
    const direct = await bidNbr(port, chain([{ asi: 'ssp.example', sid: 'pub-1', hp: 1 }]));
    expect(direct.json?.seatbid?.[0]?.bid[0]?.price).toBe(2);
    const resold = await bidNbr(port, chain([{ asi: 'ssp.example', sid: 'reseller-1', hp: 1 }]));
    expect(resold.json?.seatbid).toEqual([]);
    const twoHops = await bidNbr(
      port,
      chain([
        { asi: 'ssp.example', sid: 'pub-1', hp: 1 },
        { asi: 'other.example', sid: 'x', hp: 1 },
      ]),
    );
    expect(twoHops.json?.seatbid).toEqual([]);
    const none = await bidNbr(port, bannerRequest(directDomain, { device: BROWSER }));
    expect(none.json?.seatbid).toEqual([]);
  });

  it('counts every caught request in bidder_prebid_ivt_total by reason, over both workers', async () => {
    expect(Object.keys(sent).sort()).toEqual([
      'blocked',
      'bot_ua',
      'datacentre',
      'invalid_ip',
      'non_browser',
      'schain_invalid',
      'seller_unknown',
    ]);
    const counts = await waitFor(
      async () => {
        const c = await ivtCounts(port);
        return Object.entries(sent).every(([r, n]) => c[r] === n) ? c : undefined;
      },
      { timeoutMs: 5000, what: 'prebid counters' },
    );
    expect(counts).toMatchObject(sent);
  });
});
