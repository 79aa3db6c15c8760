import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublisher,
  ensureTopics,
  silentLogger,
  StreamConsumer,
  subscribe,
  waitFor,
  type Publisher,
} from '@streambid/adapters';
import type { BidEvent } from '@streambid/contracts';
import { runOpenModel } from '@streambid/loadgen';
import { makeBidRequest, makeCampaign, mulberry32 } from '@streambid/testkit';
import { testKafka, testTopics, uniq } from '@streambid/testkit/services';
import {
  allowanceFor,
  bannerRequest,
  campaignFor,
  get,
  post,
  publishCampaign,
  spawnHealthyBidder,
  type SpawnedBidder,
} from './harness.js';
import { mutateJson, scanSeed, type Seed } from '../../fuzz/mutators.js';

const FIXTURES = new URL('../../../../test/fixtures/openrtb/', import.meta.url);

/**
 * POSTs a bid request on a connection of its own. The kernel spreads new connections over the
 * workers' listeners on the shared port, so a series of these reaches both workers.
 */
function postFresh(port: number, body: object): Promise<{ status: number; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/openrtb2/bid',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function rssBytes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
  const m = /^process_resident_memory_bytes\{[^}]*\} (\d+)/m.exec(text);
  return Number(m?.[1] ?? NaN);
}

describe('bid endpoint of `npm run bidder` (two workers, child process)', () => {
  const { ns, topics } = testTopics();
  let bidder: SpawnedBidder;
  let port: number;
  let pub: Publisher;

  beforeAll(async () => {
    const kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    pub = await createPublisher(kafka);
    // Campaigns the generated traffic matches, so fuzzed requests also reach response building.
    const campaigns = [300, 728, 320].map((w, i) =>
      makeCampaign({
        creatives: [
          {
            id: `cr-${String(i)}`,
            mediaType: 'banner',
            w,
            h: w === 300 ? 250 : w === 728 ? 90 : 50,
            markup: '<a href="${CLICK_URL}">ad</a>',
            landingUrl: 'https://acme.example/',
            adomain: ['acme.example'],
            cat: ['IAB1'],
            attr: [],
          },
        ],
      }),
    );
    await pub.publish(topics.campaigns, campaigns);
    await pub.publish(
      topics.budget,
      campaigns.map((c) => allowanceFor(c)),
    );
    bidder = await spawnHealthyBidder({
      ns,
      profilePrefix: `${uniq('fz')}:`,
      // Events leave the workers only at shutdown: the last test checks that hand-off.
      env: { BIDDER_EVENT_HANDOFF_MS: '600000' },
      stdout: 'ignore',
    });
    port = bidder.port;
  });

  afterAll(async () => {
    await bidder.stop();
    await pub.close();
  });

  it('answers every fixture request with 200 and its id, or 204, and echoes the OpenRTB version', async () => {
    const files = readdirSync(FIXTURES).filter(
      (f) => f.endsWith('.json') && f !== 'malformed.json',
    );
    expect(files.length).toBeGreaterThanOrEqual(18);
    for (const f of files) {
      const body = readFileSync(new URL(f, FIXTURES), 'utf8');
      const version = f.includes('25') ? '2.5' : '2.6';
      const r = await fetch(`http://127.0.0.1:${String(port)}/openrtb2/bid`, {
        method: 'POST',
        body,
        headers: { 'x-openrtb-version': version },
      });
      expect([200, 204], f).toContain(r.status);
      expect(r.headers.get('x-openrtb-version'), f).toBe(version);
      const text = await r.text();
      if (r.status === 200)
        expect((JSON.parse(text) as { id: string }).id, f).toBe(
          (JSON.parse(body) as { id: string }).id,
        );
    }
  });

  it('answers malformed requests with 400 and a JSON error naming the problem', async () => {
    const cases = JSON.parse(readFileSync(new URL('malformed.json', FIXTURES), 'utf8')) as {
      name: string;
      body: string;
      expectError: string;
    }[];
    for (const c of cases) {
      const r = await post(port, c.body);
      expect(r.status, c.name).toBe(400);
      const err = (JSON.parse(r.body) as { error: string }).error;
      expect(err, c.name).toContain(c.expectError);
    }
  });

  it('refuses a 2 MB body with 413 and wrong methods or paths with 405 or 404', async () => {
    const big = JSON.stringify({ id: 'big', imp: [{ id: '1' }], pad: 'x'.repeat(2 * 1024 * 1024) });
    expect((await post(port, big)).status).toBe(413);
    expect((await fetch(`http://127.0.0.1:${String(port)}/openrtb2/bid`)).status).toBe(405);
    expect(
      (await fetch(`http://127.0.0.1:${String(port)}/openrtb2/bid`, { method: 'PUT', body: '{}' }))
        .status,
    ).toBe(405);
    expect((await fetch(`http://127.0.0.1:${String(port)}/nope`)).status).toBe(404);
    expect(
      (await fetch(`http://127.0.0.1:${String(port)}/healthz`, { method: 'POST' })).status,
    ).toBe(405);
  });

  it('survives 10,000 mutated requests without a 5xx and with stable memory', async () => {
    const rng = mulberry32(42);
    const seeds = Array.from({ length: 200 }, (_, i) =>
      scanSeed(`sample-${String(i)}`, JSON.stringify(makeBidRequest(rng))),
    );
    // Raw-text mutations (the fuzzers' mutators): bytes no JSON.stringify would write.
    const bodies = Array.from(
      { length: 2000 },
      (_, i) => mutateJson(rng, seeds[i % seeds.length] as Seed).body,
    );
    const run = async (n: number) => {
      const statuses: Record<number, number> = {};
      const r = await runOpenModel({
        url: `http://127.0.0.1:${String(port)}`,
        rate: 2000,
        durationS: n / 2000,
        connections: 16,
        makeRequest: (i) => ({
          method: 'POST',
          path: '/openrtb2/bid',
          body: bodies[i % bodies.length] ?? '',
          headers: { 'content-type': 'application/json' },
        }),
        onResponse: (s) => void (statuses[s] = (statuses[s] ?? 0) + 1),
      });
      return { r, statuses };
    };
    const warm = await run(2000);
    const rssWarm = await rssBytes(port);
    const main = await run(10_000);
    const rssAfter = await rssBytes(port);
    const total = main.r.completed + warm.r.completed;
    expect(total).toBeGreaterThanOrEqual(12_000);
    expect(main.r.errors + warm.r.errors).toBe(0);
    for (const s of Object.keys({ ...warm.statuses, ...main.statuses }).map(Number))
      expect(s).toBeLessThan(500);
    expect(main.statuses[400] ?? 0).toBeGreaterThan(0);
    expect((main.statuses[200] ?? 0) + (main.statuses[204] ?? 0)).toBeGreaterThan(0);
    expect(bidder.exitCode()).toBeNull();
    expect((await fetch(`http://127.0.0.1:${String(port)}/healthz`)).status).toBe(200);
    // Five times more traffic after warm-up must not grow the process by more than 64 MB.
    expect(rssAfter - rssWarm).toBeLessThan(64 * 1024 * 1024);
  });

  it('counts a win billed on one worker toward the frequency cap on the other worker too', async () => {
    const domain = `${uniq('site')}.example`;
    // Outbids the suite's open campaigns, so an answer without its bid means it was refused.
    const c = campaignFor(domain, { frequencyCap: { perDay: 1 }, bidCpmMicros: 90e6 });
    await publishCampaign(pub, topics, c);
    const asUser = (u: string) => bannerRequest(domain, { user: { buyeruid: u } });
    // The bid of the capped campaign, if the answer holds one (the suite's open campaigns bid too).
    const capped = async (u: string) => {
      const r = await postFresh(port, asUser(u));
      if (r.status !== 200) return undefined;
      const res = JSON.parse(r.body) as { seatbid: { bid: { cid: string; nurl: string }[] }[] };
      return res.seatbid.flatMap((sb) => sb.bid).find((b) => b.cid === c.id);
    };
    // Both workers' views hold the campaign: a dozen fresh connections in a row all get its bid.
    await waitFor(
      async () => {
        for (let i = 0; i < 12; i++) if (!(await capped(`u-${randomUUID()}`))) return false;
        return true;
      },
      { timeoutMs: 15_000, what: 'campaign in both workers' },
    );
    const user = `u-${randomUUID()}`;
    const first = await capped(user);
    if (!first) throw new Error('no bid of the capped campaign');
    // The win notice records the win (the billing notice, later, bills it).
    const win = await get(first.nurl.replace('${AUCTION_PRICE}', '1.5'));
    expect(JSON.parse(win.body)).toEqual({ won: true, billed: false });
    // The main thread relays the win to the other worker; allow it a moment on a busy machine.
    await new Promise((r) => setTimeout(r, 200));
    // The profile in Redis has not seen the impression: only the recent wins stop the bids.
    const after = [];
    for (let i = 0; i < 24; i++) after.push(await capped(user));
    expect(after.filter((b) => b !== undefined)).toEqual([]);
    expect(await capped(`u-${randomUUID()}`)).toBeDefined();
  });

  // Last: it stops the bidder. Workers hand their events to the main thread, which produces them.
  it('produces one bid event per bid from its workers, including bids answered just before SIGTERM', async () => {
    const body = readFileSync(new URL('site-banner-format.json', FIXTURES), 'utf8');
    const bidIds: string[] = [];
    for (let i = 0; i < 40; i++) {
      const req = { ...(JSON.parse(body) as { id: string }), id: `sigterm-${String(i)}` };
      const r = await post(port, req);
      for (const seat of r.json?.seatbid ?? []) bidIds.push(...seat.bid.map((b) => b.id));
    }
    expect(bidIds.length).toBeGreaterThan(0);
    expect(await bidder.stop()).toBe(0);

    const seen = new Set<string>();
    const consumer = new StreamConsumer({
      kafka: testKafka('eu'),
      service: 'bidder-test',
      deadLetter: pub,
      deadLetterTopic: topics.deadLetter.name,
      logger: silentLogger(),
      subscriptions: [
        subscribe({
          topic: topics.bids,
          handle: (recs: { value: BidEvent | null }[]) => {
            for (const r of recs) if (r.value) seen.add(r.value.bidId);
          },
        }),
      ],
    });
    await consumer.start();
    try {
      await consumer.caughtUp;
      expect(bidIds.filter((id) => !seen.has(id))).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });
});
