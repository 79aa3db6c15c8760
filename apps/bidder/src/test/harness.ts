import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  createMetricsRegistry,
  freePort,
  silentLogger,
  waitFor,
  type Publisher,
  type StreamConsumer,
} from '@streambid/adapters';
import type {
  BidRequest,
  BidResponse,
  BudgetAllowance,
  Campaign,
  Catalogue,
  TopicDef,
} from '@streambid/contracts';
import {
  brokerFor,
  endpoints,
  openPublisher,
  testKafka,
  valueCollector,
} from '@streambid/testkit/services';
import { makeCampaign } from '@streambid/testkit';
import { startLocalBidder, type BidderInstance } from '../bidder.js';
import { loadBidderConfig } from '../config.js';
import { BIDDER_NODE_FLAGS } from '../runtime/node-flags.js';

const ROOT = new URL('../../../../', import.meta.url);

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
    BIDDER_DEV_MODE: 'true',
    // Requests without regs.gdpr count as outside GDPR here (the default says GDPR).
    PRIVACY_GDPR_DEFAULT: 'false',
    ...env,
  });
  return startLocalBidder({
    cfg,
    logger: silentLogger(),
    registry: createMetricsRegistry('bidder-test'),
  });
}

/** What {@link spawnBidder} starts. */
export interface SpawnBidderOptions {
  port: number;
  /** The test's topic namespace. */
  ns: string;
  profilePrefix: string;
  /** Added to (or overriding) the settings below. */
  env?: Record<string, string>;
  /** The JSON logs: dropped, or piped for the test to read. */
  stdout: 'ignore' | 'pipe';
}

/**
 * `apps/bidder/src/main.ts` as a process of its own with two workers, as it runs in production,
 * on `port` in eu; its stderr goes to the test's.
 */
export function spawnBidder(o: SpawnBidderOptions): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...BIDDER_NODE_FLAGS,
      '--conditions=@streambid/source',
      '--import',
      'tsx',
      'apps/bidder/src/main.ts',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BIDDER_PORT: String(o.port),
        BIDDER_DEV_MODE: 'true',
        // Requests without regs.gdpr count as outside GDPR here (the default says GDPR).
        PRIVACY_GDPR_DEFAULT: 'false',
        REGION: 'eu',
        BIDDER_WORKERS: '2',
        KAFKA_BROKERS: brokerFor('eu'),
        REDIS_URL: endpoints().redis.eu,
        TOPIC_NAMESPACE: o.ns,
        PROFILE_KEY_PREFIX: o.profilePrefix,
        LOG_LEVEL: 'warn',
        ...o.env,
      },
      stdio: ['ignore', o.stdout, 'inherit'],
    },
  );
}

/** A bidder process started by {@link spawnHealthyBidder}. */
export interface SpawnedBidder {
  port: number;
  child: ChildProcess;
  /** The exit code (-1 for a signal), or null while it runs. */
  exitCode(): number | null;
  /** SIGTERM unless it already exited; resolves with the exit code once it has. */
  stop(): Promise<number | null>;
}

/** {@link spawnBidder} on a free port; resolves once its `/healthz` answers 200 (within 60 s). */
export async function spawnHealthyBidder(
  o: Omit<SpawnBidderOptions, 'port'>,
): Promise<SpawnedBidder> {
  const port = await freePort();
  const child = spawnBidder({ ...o, port });
  let exited: number | null = null;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code ?? -1;
      resolve();
    }),
  );
  const stop = async (): Promise<number | null> => {
    if (exited === null) child.kill('SIGTERM');
    await gone;
    return exited;
  };
  try {
    await waitFor(
      async () => {
        if (exited !== null)
          throw new Error(`bidder exited ${String(exited)} before it was healthy`);
        try {
          return (await fetch(`http://127.0.0.1:${String(port)}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'bidder healthy' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, child, exitCode: () => exited, stop };
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

/** A desktop Chrome user agent: a browser to the pre-bid checks. */
export const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

type Device = NonNullable<BidRequest['device']>;
/** A browser on 203.0.113.7 (TEST-NET-3, in no built-in data-centre range). */
export const BROWSER: Device = {
  ua: CHROME,
  ip: '203.0.113.7',
  devicetype: 2,
  geo: { country: 'DEU' },
};

/** The exchange that takes an OpenRTB no-bid body (spawn with `nbr-x:burl:nbr`): `nbr` says why. */
export const NBR_EXCHANGE = 'nbr-x';

/** An answer of the no-bid-body exchange. */
export interface NbrReply {
  status: number;
  json: (BidResponse & { nbr?: number }) | undefined;
}

/** A bid request to {@link NBR_EXCHANGE}'s endpoint. */
export async function bidNbr(port: number, req: BidRequest): Promise<NbrReply> {
  const r = await fetch(`http://127.0.0.1:${String(port)}/openrtb2/bid/${NBR_EXCHANGE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  const text = await r.text();
  return {
    status: r.status,
    json: r.status === 200 ? (JSON.parse(text) as NbrReply['json']) : undefined,
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

/** Publishes `c` and an allowance for it in eu: the bidder may bid on it once it reads both. */
export async function publishCampaign(
  pub: Publisher,
  topics: Catalogue,
  c: Campaign,
): Promise<void> {
  await pub.publish(topics.budget, [allowanceFor(c)]);
  await pub.publish(topics.campaigns, [c]);
}

/** Posts `bannerRequest(domain, over)` to the bidder on `port` until it bids: that answer. */
export function firstBid(
  port: number,
  domain: string,
  o: { over?: Partial<BidRequest>; timeoutMs: number },
): Promise<Answer> {
  return waitFor(
    async () => {
      const r = await post(port, bannerRequest(domain, o.over));
      return r.status === 200 ? r : undefined;
    },
    { timeoutMs: o.timeoutMs, what: 'a bid' },
  );
}

/** The eu Kafka with every topic of the namespace, a publisher, and a caught-up test bidder. */
export async function startBidderOnTopics(
  ns: string,
  topics: Catalogue,
  profilePrefix: string,
): Promise<{ kafka: Kafka; pub: Publisher; bidder: BidderInstance }> {
  const kafka = testKafka('eu');
  const pub = await openPublisher(kafka, Object.values(topics));
  const bidder = await startTestBidder(ns, profilePrefix);
  await bidder.caughtUp;
  return { kafka, pub, bidder };
}

/** A started private view that appends the values of `topic` to `sink`. */
export async function watchValues<T>(
  world: { kafka: Kafka; pub: Publisher },
  topics: Catalogue,
  topic: TopicDef,
  sink: T[],
  service: string,
): Promise<StreamConsumer> {
  const c = valueCollector<T>({
    kafka: world.kafka,
    topic,
    sink,
    deadLetter: world.pub,
    deadLetterTopic: topics.deadLetter.name,
    service,
  });
  await c.start();
  return c;
}
