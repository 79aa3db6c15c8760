/**
 * In-process CPU cost of the bid path (no HTTP, no Redis): parse → plan → finish → response and
 * bid-event encoding, over the same campaigns and requests as `bench:bidder`. Prints µs per request.
 * `node --conditions=@streambid/source --import tsx apps/bidder/bench/hotpath.ts`
 */
import { consentCost } from './consent-cost.js';
import { campaigns, requests } from './workload.js';
import { performance } from 'node:perf_hooks';
import { parseBidRequest } from '@streambid/contracts';
import { mulberry32 } from '@streambid/testkit';
import { Blocklist } from '../src/domain/blocklist.js';
import { BudgetView } from '../src/domain/budget.js';
import { CampaignIndex } from '../src/domain/campaign-index.js';
import { finish, plan, type DecisionContext } from '../src/domain/decide.js';
import { everyPrebid, PrebidFilter } from '../src/domain/prebid.js';
import { requestFacts } from '../src/domain/matching.js';
import { assessSupplyChain } from '../src/domain/schain.js';
import { parseRates, type FxRates } from '../src/domain/fx.js';
import { EventSink } from '../src/runtime/events.js';
import { buildResponse } from '../src/http/response.js';
import type { ServerDeps } from '../src/http/server.js';

// `--prebid-off`: every pre-bid check off, to measure their cost against a run with them on.
const prebidOff = process.argv.includes('--prebid-off');
const rng = mulberry32(7);
const cs = campaigns(rng, 1000);
const reqs = requests(rng, 4000);
const bodies = reqs.map((r) => JSON.stringify(r));

const rates = parseRates('EUR=1.08,GBP=1.27') as FxRates;
const index = new CampaignIndex(rates);
for (const c of cs) index.upsert(c);
// A blocklist of realistic size (no entry matches the workload), so the checks do their lookups.
const blocklist = new Blocklist();
for (let i = 0; i < 1000; i++) {
  const kind = (['ip', 'subnet', 'site', 'app', 'publisher', 'cookie'] as const)[i % 6] ?? 'ip';
  const value =
    kind === 'ip'
      ? `198.18.${String(i >> 8)}.${String(i & 255)}`
      : kind === 'subnet'
        ? `198.19.${String(i & 255)}.0/24`
        : `blocked-${String(i)}.example`;
  blocklist.apply({
    eventId: `b${String(i)}`,
    ts: 0,
    kind,
    value,
    score: 1,
    reasons: [],
    expiresAt: 8.64e15,
  });
}
const ctx: DecisionContext = {
  index,
  budget: new BudgetView({ region: 'eu', requireAllowance: false }),
  prebid: new PrebidFilter(everyPrebid(prebidOff ? 'off' : 'nobid'), blocklist),
  flagPriceShare: 0.1,
  rates,
  seat: 'streambid',
  firstPriceShade: 0.8,
};
let sent = 0;
// The serving thread only queues events; producing them happens on another thread.
const events = new EventSink(
  (batch) => {
    sent += batch.length;
  },
  1e7,
  1,
);
const d = {
  cfg: { REGION: 'eu', BIDDER_SEAT: 'streambid' },
  keys: { current: { id: 'k1', secret: 'x'.repeat(32) }, previous: [] },
  events,
  base: 'http://127.0.0.1:8080',
} as unknown as ServerDeps;
let seq = 0;
const nextBidId = (): string => `b-${(++seq).toString(36)}`;

const stages = { parse: 0, plan: 0, finish: 0, response: 0, events: 0 };
let bidsN = 0;
function once(body: string, time: boolean): void {
  const t0 = performance.now();
  const parsed = parseBidRequest(body);
  if (!parsed.ok) throw new Error(parsed.error);
  const t1 = performance.now();
  const now = Date.now();
  const p = plan(ctx, parsed.value, now);
  const t2 = performance.now();
  const o = finish(ctx, p, { kind: 'missing' }, now);
  const t3 = performance.now();
  if (o.bids.length > 0) buildResponse(d, p, o, { version: '2.6', exchange: 'default' }, nextBidId);
  const t4 = performance.now();
  if (time) {
    stages.parse += t1 - t0;
    stages.plan += t2 - t1;
    stages.finish += t3 - t2;
    stages.response += t4 - t3;
    bidsN += o.bids.length;
  }
}
const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? '40000');
for (let i = 0; i < 20000; i++) once(bodies[i % bodies.length] ?? '', false);
events.flush();
const c0 = process.cpuUsage();
const w0 = performance.now();
for (let i = 0; i < N; i++) {
  once(bodies[i % bodies.length] ?? '', true);
  if (i % 200 === 199) {
    const te = performance.now();
    events.flush();
    stages.events += performance.now() - te;
  }
}
const wall = performance.now() - w0;
const cpu = process.cpuUsage(c0);

/** Requests the checks caught in the last trial (data-centre addresses in the random workload). */
let prebidHits = 0;
/** The pre-bid checks alone (supply chain grade + every check), µs per request, median of 5. */
function prebidCost(): number {
  const parsed = bodies.slice(0, 2000).map((b) => {
    const r = parseBidRequest(b);
    if (!r.ok) throw new Error(r.error);
    return { req: r.value, f: requestFacts(r.value) };
  });
  const run = (n: number): number => {
    const t0 = performance.now();
    prebidHits = 0;
    for (let i = 0; i < n; i++) {
      const x = parsed[i % parsed.length];
      if (x === undefined) continue;
      const chain = assessSupplyChain(x.req.source, undefined);
      if (ctx.prebid.check(x.req, x.f, chain, x.req.user?.buyeruid, 0).reason !== undefined)
        prebidHits++;
    }
    return (performance.now() - t0) / n;
  };
  run(20_000);
  const trials = [0, 1, 2, 3, 4].map(() => run(N)).sort((a, b) => a - b);
  return Math.round((trials[2] ?? 0) * 1000 * 100) / 100;
}
const prebidUs = prebidOff ? 0 : prebidCost();
const us = (ms: number): number => Math.round((ms * 1000 * 10) / N) / 10;
console.log(
  JSON.stringify({
    n: N,
    prebid: prebidOff ? 'off' : 'on',
    bids_per_req: Math.round((bidsN / N) * 100) / 100,
    us_per_req_wall: us(wall),
    us_per_req_cpu: us((cpu.user + cpu.system) / 1000),
    parse: us(stages.parse),
    plan: us(stages.plan),
    finish: us(stages.finish),
    response: us(stages.response),
    events: us(stages.events),
    prebid_us: prebidUs,
    prebid_caught_share: Math.round((prebidHits / N) * 1000) / 1000,
    sent,
    consent: consentCost(reqs),
  }),
);
process.exit(0);
