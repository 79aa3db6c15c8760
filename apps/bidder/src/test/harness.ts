import { randomUUID } from 'node:crypto';
import { createMetricsRegistry, silentLogger } from '@streambid/adapters';
import type { BidRequest, BidResponse, BudgetAllowance, Campaign } from '@streambid/contracts';
import { brokerFor, endpoints } from '../../../../test/support/env.js';
import { makeCampaign } from '../../../../test/support/fixtures.js';
import { startBidder, type BidderInstance } from '../bidder.js';
import { loadBidderConfig } from '../config.js';
import { LocalCoordinator } from '../coordinator.js';

/** An in-process bidder on a free port, reading the test's topic namespace and Redis prefix. */
export async function startTestBidder(
  ns: string,
  profilePrefix: string,
  env: Record<string, string> = {},
): Promise<BidderInstance> {
  const cfg = loadBidderConfig({
    REGION: 'eu',
    KAFKA_BROKERS: brokerFor('eu'),
    REDIS_URL: endpoints().redis.eu,
    TOPIC_NAMESPACE: ns,
    BIDDER_PORT: '0',
    BIDDER_HOST: '127.0.0.1',
    PROFILE_KEY_PREFIX: profilePrefix,
    // Tests run on a loaded machine: leave room for the profile read.
    BIDDER_PROFILE_TIMEOUT_MS: '200',
    BIDDER_DEFAULT_TMAX_MS: '1000',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const registry = createMetricsRegistry('bidder-test');
  const coordinator = new LocalCoordinator(registry, 10_000, 3_600_000);
  const bidder = await startBidder({ cfg, logger: silentLogger(), registry, coordinator });
  void bidder.caughtUp.then(() => {
    coordinator.ready = true;
  });
  return bidder;
}

export interface Answer {
  status: number;
  body: string;
  json: BidResponse | undefined;
}

export async function post(
  port: number,
  body: string | object,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${String(port)}/openrtb2/bid`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: BidResponse | undefined;
  if (r.status === 200) json = JSON.parse(text) as BidResponse;
  return { status: r.status, body: text, json };
}

export async function get(
  url: string,
): Promise<{ status: number; body: string; location: string | undefined }> {
  const r = await fetch(url, { redirect: 'manual' });
  return {
    status: r.status,
    body: await r.text(),
    location: r.headers.get('location') ?? undefined,
  };
}

/** A banner request on its own site domain so each test matches only its own campaigns. */
export function bannerRequest(domain: string, over: Partial<BidRequest> = {}): BidRequest {
  return {
    id: `req-${randomUUID()}`,
    imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 0.5, bidfloorcur: 'USD' }],
    site: { id: 's1', domain, page: `https://${domain}/a`, publisher: { id: 'pub-1' } },
    device: { ip: '203.0.113.7', devicetype: 2, geo: { country: 'DEU' } },
    user: { id: 'exchange-user', buyeruid: `u-${randomUUID()}` },
    at: 2,
    tmax: 1000,
    ...over,
  };
}

export function campaignFor(domain: string, over: Partial<Campaign> = {}): Campaign {
  return makeCampaign({ targeting: { siteDomains: [domain] }, ...over });
}

export function allowanceFor(c: Campaign, over: Partial<BudgetAllowance> = {}): BudgetAllowance {
  return {
    eventId: randomUUID(),
    ts: Date.now(),
    campaignId: c.id,
    region: 'eu',
    capMicros: 1_000_000_000,
    paceMicrosPerSec: 1_000_000_000,
    exhausted: false,
    ...over,
  };
}
