/**
 * Whatever passes the edge passes every event schema it reaches: requests generated from the
 * validator's accepted space (derived from the OpenRTB declaration itself), run through the real
 * bid flow; every bid event, the response, each tracker token and the win, spend, impression and
 * click built from it must validate.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  bidRequestSpec,
  bidResponseSchema,
  parseBidRequest,
  TOPICS,
  type BidEvent,
  type Bid,
  type BidResponse,
} from '@streambid/contracts';
import { arbitraryOf, nonConforming, shortReport } from '@streambid/testkit/arbitrary';
import {
  ACCEPTED_HINTS,
  createWorld,
  eventProblem,
  type ProfileBehaviour,
} from '../../fuzz/world.js';
import type { BidAnswer } from './bid-flow.js';
import { decodeToken, encodeTokens } from '../domain/token.js';
import type { StreamEvent } from '../runtime/events.js';
import {
  clearingMicros,
  clickEvent,
  impressionEvent,
  campaignPrice,
  lossClearingMicros,
  lossEvent,
  spendOf,
  winEvent,
  type HitFacts,
} from '../domain/tracker-events.js';

/** Profile answers by user id, so a run is reproducible from its request alone. */
function behaviourOf(userId: string): ProfileBehaviour {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) | 0;
  const all: ProfileBehaviour[] = [
    'found',
    'found',
    'found',
    'missing',
    'optedOut',
    'error',
    'never',
  ];
  return all[Math.abs(h) % all.length] ?? 'found';
}

const world = createWorld({ profiles: behaviourOf });
const keys = world.deps.keys;
const ttl = { noticeMs: 3_600_000, markupMs: 86_400_000 };
const RUNS = 300;
const stats = { runs: 0, bids: 0, withBid: 0, noBid: 0 };

/** Runs one body through the flow; fails if it is not answered within tmax + 50 ms. */
function runOnce(body: string, tmax: number): Promise<{ a: BidAnswer; events: StreamEvent[] }> {
  return new Promise((resolve, reject) => {
    const limit = tmax + 50;
    const timer = setTimeout(
      () => reject(new Error(`no answer within ${String(limit)} ms`)),
      limit,
    );
    let answers = 0;
    world.run(
      { body, version: '2.6', exchange: 'default', t0: performance.now(), aborted: false },
      (a, events) => {
        answers++;
        clearTimeout(timer);
        if (answers > 1) reject(new Error('answered twice'));
        else resolve({ a, events });
      },
    );
  });
}

const hostileHits: HitFacts[] = [
  { ip: '', ua: '' },
  { ip: '203.0.113.9', ua: 'Mozilla/5.0' },
  { ip: 'f'.repeat(200), ua: '\ud800'.repeat(3000) },
  { ip: '😀'.repeat(40), ua: 'é'.repeat(1025) },
];
let tracked = 0;
const prices = [undefined, '0', '-0', '1e999', 'NaN', '1e-400', '0.000001', '1e305', '999999.9'];

/** Who and what a bid was for: the fields the tokens and the bid event both carry. */
const IDENTITY = [
  'bidId',
  'requestId',
  'impId',
  'campaignId',
  'creativeId',
  'userId',
  'siteDomain',
  'appBundle',
  'publisherId',
  'dealId',
] as const;

/** The {@link IDENTITY} fields of a token's context or a bid event (absent: ''). */
function identity(x: Pick<BidEvent, (typeof IDENTITY)[number]>): Record<string, string> {
  return Object.fromEntries(IDENTITY.map((k) => [k, x[k] ?? '']));
}

function checkTrackers(bid: Bid, ev: BidEvent): void {
  const token = new URL(bid.nurl ?? '').searchParams.get('t') ?? '';
  const decoded = decodeToken(keys, 'win', token, Date.now(), ttl);
  expect(decoded.ok, 'token decodes').toBe(true);
  if (!decoded.ok) return;
  const ctx = decoded.ctx;
  const tokens = encodeTokens(keys, ctx);
  expect(tokens.win, 'token round-trips').toBe(token);
  expect(new URL(bid.burl ?? '').searchParams.get('t')).toBe(tokens.bill);
  expect(new URL(bid.lurl ?? '').searchParams.get('t')).toBe(tokens.loss);
  expect(bid.adm?.includes(`t=${tokens.imp}`), 'markup carries the impression token').toBe(true);
  expect(bid.adm?.includes(tokens.bill), 'markup never carries the billing token').toBe(false);
  expect(identity(ctx)).toEqual(identity(ev));
  expect(ctx.priceMicros).toBe(Math.round(bid.price * 1e6));
  const now = Date.now();
  const campaignCurrency = world.deps.views.index.get(ctx.campaignId)?.c.currency;
  // Three of the price spellings and one hostile hit per bid, rotating.
  const n = ++tracked;
  for (let i = 0; i < 3; i++) {
    const raw = prices[(n * 3 + i) % prices.length];
    const h = hostileHits[n % hostileHits.length] as HitFacts;
    // A loss notice reports another bidder's price: above ours, and up to the limit, is allowed.
    const lossAt = lossClearingMicros(raw, ctx);
    const loss = lossEvent(ctx, {
      region: world.cfg.REGION,
      now,
      reason: 102,
      clearing:
        lossAt === undefined
          ? undefined
          : campaignPrice(ctx, lossAt, world.cfg.BIDDER_FX_RATES, campaignCurrency).cpmMicros,
    });
    expect(eventProblem({ kind: 'losses', value: loss })).toBeUndefined();
    const price = clearingMicros(raw, ctx);
    if (typeof price === 'string') continue;
    expect(Number.isInteger(price) && price >= 0 && price <= ctx.priceMicros).toBe(true);
    const cp = campaignPrice(ctx, price, world.cfg.BIDDER_FX_RATES, campaignCurrency);
    const spend = spendOf(ctx, cp, { region: world.cfg.REGION, now, notice: 'burl' });
    expect(TOPICS.spend.schema.safeParse(spend).error?.issues).toBeUndefined();
    const built: StreamEvent[] = [
      { kind: 'wins', value: winEvent(ctx, h, cp, { region: world.cfg.REGION, now }) },
      { kind: 'impressions', value: impressionEvent(ctx, h, world.cfg.REGION, now) },
      {
        kind: 'clicks',
        value: clickEvent(ctx, h, { eventId: randomUUID(), region: world.cfg.REGION, now }),
      },
    ];
    for (const e of built) expect(eventProblem(e)).toBeUndefined();
  }
}

describe('requests from the accepted space', () => {
  it.prop([arbitraryOf(bidRequestSpec, { hints: ACCEPTED_HINTS })], {
    numRuns: RUNS,
    reporter: shortReport,
  })(
    'are accepted, conform to the declaration, and every event they lead to validates',
    async (req) => {
      const body = JSON.stringify(req);
      const parsed = parseBidRequest(body);
      expect(parsed.ok ? undefined : parsed.error).toBeUndefined();
      if (!parsed.ok) return;
      expect(
        nonConforming(bidRequestSpec, parsed.value as unknown as Record<string, unknown>),
      ).toBe(undefined);
      const tmax =
        parsed.value.tmax !== undefined && parsed.value.tmax > 0 ? parsed.value.tmax : 100;
      const { a, events } = await runOnce(body, tmax);
      stats.runs++;
      expect([200, 204]).toContain(a.status);
      for (const e of events) expect(eventProblem(e)).toBeUndefined();
      if (a.status !== 200) {
        stats.noBid++;
        expect(events).toEqual([]);
        return;
      }
      const res = JSON.parse(a.body) as BidResponse;
      expect(bidResponseSchema.safeParse(res).error?.issues).toBeUndefined();
      const bids = (res.seatbid ?? []).flatMap((s) => s.bid);
      const bidEvents = events.filter((e) => e.kind === 'bids').map((e) => e.value);
      expect(bidEvents.map((e) => e.bidId)).toEqual(bids.map((b) => b.id));
      stats.withBid++;
      stats.bids += bids.length;
      for (const [i, bid] of bids.entries()) checkTrackers(bid, bidEvents[i] as BidEvent);
    },
  );

  it('reached bids and no-bids both (the generator steers into the campaigns)', () => {
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
    // Measured: about a third of the generated requests get a bid (136 of 400).
    expect(stats.withBid).toBeGreaterThan(stats.runs / 10);
    expect(stats.noBid).toBeGreaterThan(0);
  });
});
