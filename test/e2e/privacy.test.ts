import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chQuery,
  createClickHouse,
  createKafka,
  createPublisher,
  rawSql,
  silentLogger,
  sqlIdent,
  waitFor,
  type ClickHouseClient,
} from '@streambid/adapters';
import type { BidEvent, BidRequest, ClickEvent, TopicDef } from '@streambid/contracts';
import { appPorts, setAppPortOffset, startStack, stopStack, type Stack } from '@streambid/loadtest';
import { encodeTcf } from '@streambid/privacy/testing';
import { mulberry32, openBannerRequest } from '@streambid/testkit';
import { readAll as readTopic } from '@streambid/testkit/services';
import { clickfraud } from './clickfraud.js';
import { createCampaign } from './inventory.js';

/** Reads a topic of the stack to its end. */
async function readAll<T>(stack: Stack, topic: TopicDef): Promise<T[]> {
  const kafka = createKafka({
    clientId: 'e2e-privacy',
    brokers: [stack.brokers['eu'] ?? ''],
    logger: silentLogger(),
  });
  const dlq = await createPublisher(kafka);
  try {
    return await readTopic<T>(kafka, dlq, topic, 'e2e-privacy');
  } finally {
    await dlq.close();
  }
}

/**
 * The consent policy end to end (docs/privacy.md): a TCF string that consents to nothing for our
 * vendor costs no Redis call and leaves no user id in the bid event; under COPPA the IPs of the
 * bid event and of the click that reaches ClickHouse are truncated.
 */
describe('privacy scrubbing through Kafka, Redis and ClickHouse', () => {
  let stack: Stack;
  let ch: ClickHouseClient;

  beforeAll(async () => {
    setAppPortOffset(5000); // this file's own ports: other e2e files run in parallel
    stack = await startStack({ regions: ['eu'], delayMs: 0, say: () => undefined });
    ch = createClickHouse({ url: stack.endpoints.clickhouse });
  }, 240_000);
  afterAll(async () => {
    await ch.close();
    await stopStack(stack);
  });

  const bidder = (): string => `http://127.0.0.1:${String(appPorts('eu').bidder)}`;
  const lookups = async (): Promise<number> => {
    const text = await (await fetch(`${bidder()}/metrics`)).text();
    let n = 0;
    for (const line of text.split('\n'))
      if (line.startsWith('bidder_profile_lookups_total')) n += Number(line.split(' ').pop());
    return n;
  };
  const bid = async (
    req: BidRequest,
  ): Promise<{ status: number; bid?: { id: string; cid?: string; adm?: string } }> => {
    const r = await fetch(`${bidder()}/openrtb2/bid`, {
      method: 'POST',
      body: JSON.stringify(req),
    });
    if (r.status !== 200) return { status: r.status };
    const body = (await r.json()) as {
      seatbid: { bid: { id: string; cid?: string; adm?: string }[] }[];
    };
    return { status: 200, ...(body.seatbid[0]?.bid[0] ? { bid: body.seatbid[0].bid[0] } : {}) };
  };

  it('keeps the user out of Redis and the events without consent, and truncates IPs under COPPA', async () => {
    const domain = `priv-${stack.runId}.example`;
    // Budgets whose pace never refuses a bid here (see blocklist.test.ts).
    const budget = { totalMicros: 50_000_000_000 };
    const plain = await createCampaign('eu', { targeting: { siteDomains: [domain] }, budget });
    // Outbids the plain one, and needs the cookie profile for its segment.
    const targeted = await createCampaign('eu', {
      targeting: { siteDomains: [domain], segments: ['seg-privacy-e2e'] },
      bidCpmMicros: 60_000_000,
      budget,
    });
    expect([plain.status, targeted.status]).toEqual([201, 201]);
    const rng = mulberry32(5);
    const request = (over: Partial<BidRequest>): BidRequest => {
      const req = openBannerRequest(rng, domain);
      delete req.regs;
      delete req.user;
      return { ...req, ...over };
    };

    // Outside GDPR the targeted campaign asks Redis for the profile (none: the plain one bids).
    const before = await waitFor(
      async () => {
        const n = await lookups();
        const r = await bid(request({ regs: { gdpr: 0 }, user: { id: 'u-outside' } }));
        return r.status === 200 && (await lookups()) > n ? n : undefined;
      },
      { timeoutMs: 30_000, what: 'a profile lookup for a request outside GDPR' },
    );
    expect(before).toBeGreaterThanOrEqual(0);

    // A TCF string made with @iabtcf/core that consents to no purpose and no vendor.
    const noConsent = request({
      regs: { gdpr: 1 },
      user: { id: 'u-refused', consent: encodeTcf({}) },
    });
    const lookupsBefore = await lookups();
    const refused = await bid(noConsent);
    expect(refused.status).toBe(200);
    expect(refused.bid?.cid).toBe(plain.id);
    expect(await lookups()).toBe(lookupsBefore);

    const coppa = request({
      regs: { coppa: 1 },
      user: { id: 'u-child' },
      // A whole browser user agent: a bare 'Mozilla/5.0' is a bot to the pre-bid checks (isbot).
      device: {
        ip: '203.0.113.77',
        ua: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      },
    });
    const child = await bid(coppa);
    expect(child.status).toBe(200);
    const click = /href="([^"]+)"/.exec(child.bid?.adm ?? '')?.[1]?.replace(/&amp;/g, '&');
    if (!click) throw new Error('no click URL in the markup');
    const clicked = await fetch(click, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': '198.51.100.23', 'user-agent': 'Mozilla/5.0' },
    });
    expect(clicked.status).toBe(302);

    const bids = await waitFor(
      async () => {
        const all = await readAll<BidEvent>(stack, stack.topics.bids);
        const mine = all.filter((b) => b.requestId === noConsent.id || b.requestId === coppa.id);
        return mine.length === 2 ? mine : undefined;
      },
      { timeoutMs: 20_000, what: 'the two bid events' },
    );
    const refusedEvent = bids.find((b) => b.requestId === noConsent.id);
    expect(refusedEvent?.userId).toBeUndefined();
    // A valid string without purpose 1 for our vendor: no storage or access, so no ids.
    expect(refusedEvent?.privacy?.basis).toBe('gdpr_no_storage');
    const childEvent = bids.find((b) => b.requestId === coppa.id);
    expect(childEvent).toMatchObject({ ip: '203.0.113.0', privacy: { basis: 'coppa' } });
    expect(childEvent?.userId).toBeUndefined();

    const clicks = await waitFor(
      async () =>
        (await readAll<ClickEvent>(stack, stack.topics.clicks)).filter(
          (c) => c.bidId === child.bid?.id,
        )[0],
      { timeoutMs: 20_000, what: 'the click event' },
    );
    expect(clicks).toMatchObject({ ip: '198.51.100.0', privacy: { basis: 'coppa' } });
    expect(clicks.userId).toBeUndefined();

    // What the clickfraud replay stores in ClickHouse.
    const db = `e2e_priv_${stack.runId}`;
    const from = new Date(Date.now() - 600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    expect(await clickfraud(stack, db, ['replay', '--from', from, '--to', to])).toBe(0);
    const tables = await chQuery<{ name: string }>(
      ch,
      rawSql(`SELECT name FROM system.tables WHERE database = '${db}' AND name LIKE 'clicks\\_%'`),
    );
    const table = tables[0]?.name;
    if (!table) throw new Error(`no clicks table in ${db}`);
    const rows = await chQuery<{ ip: string; user_id: string; privacy_basis: string; p: number }>(
      ch,
      rawSql(
        `SELECT ip, user_id, privacy_basis, toUInt32(privacy_p) AS p FROM ${sqlIdent(db)}.${sqlIdent(table)} WHERE bid_id = '${child.bid?.id ?? ''}'`,
      ),
    );
    // The row says why it was kept: the rule, and the permissions it applied.
    expect(rows).toEqual([
      { ip: '198.51.100.0', user_id: '', privacy_basis: 'coppa', p: clicks.privacy?.p },
    ]);
  }, 180_000);
});
