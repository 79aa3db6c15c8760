import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createKafka, createPublisher, ensureTopics, silentLogger } from '@streambid/adapters';
import {
  ANALYTICS_REGION,
  catalogue,
  mulberry32,
  remoteTopicName,
  TOPIC_LIST,
  type BidResponse,
  type Catalogue,
  type Region,
  type TopicDef,
} from '@streambid/contracts';
import { RawHttpPool, runOpenModel, type OpenModelResult } from '@streambid/loadgen';
import { BIDDER_NODE_FLAGS } from '../../apps/bidder/src/node-flags.js';
import { up, type Endpoints } from '../../infra/src/index.js';
import type { Scenario } from './args.js';
import { ReplicationLagProbe } from './business.js';
import { buildVisits, fillMacros, requestFor, trackerUrl, type Visit } from './exchange.js';
import { campaignBody, type SeededCampaign } from './seed.js';
import { startApp, stopApp, waitHealthy, type RunningApp } from './stack.js';

export const INVENTORY_TOKEN = 'loadtest-token';
const REGION_INDEX: Record<Region, number> = { eu: 0, us: 1, ap: 2 };

let portOffset = 0;

/** Shifts every app port (parallel test files each run their own stack). @default 0 */
export function setAppPortOffset(offset: number): void {
  portOffset = offset;
}

/** Ports of the apps of one region: 100 apart per region, like the Kafka ports. */
export function appPorts(region: Region): {
  bidder: number;
  inventory: number;
  profileBuilder: number;
  clickfraud: number;
} {
  const o = REGION_INDEX[region] * 100 + portOffset;
  return { bidder: 8080 + o, inventory: 8090 + o, profileBuilder: 8070 + o, clickfraud: 8100 + o };
}

/** A running multi-region stack under one topic namespace. */
export interface Stack {
  runId: string;
  ns: string;
  topics: Catalogue;
  regions: Region[];
  endpoints: Endpoints;
  apps: RunningApp[];
  logDir: string;
  brokers: Record<string, string>;
}

/** Local topics plus one-hop remote copies of the replicated ones, so views see them at start. */
export function topicsForRegion(
  region: Region,
  regions: readonly Region[],
  topics: Catalogue,
): TopicDef[] {
  const list: TopicDef[] = Object.values(topics);
  for (const t of Object.values(topics) as TopicDef[]) {
    for (const other of regions) {
      if (other === region) continue;
      if (t.replicate === 'all' || (t.replicate === 'analytics' && region === ANALYTICS_REGION)) {
        list.push({ ...t, name: remoteTopicName(other, t.name) });
      }
    }
  }
  return list;
}

function brokerOf(ep: Endpoints, r: Region): string {
  const b = ep.kafka[r];
  if (!b) throw new Error(`no Kafka endpoint for ${r}`);
  return b;
}

/** Brings up infra, topics and every app of every region; resolves when all are healthy. */
export async function startStack(opts: {
  regions: Region[];
  delayMs: number;
  say: (l: string) => void;
  withClickfraud?: boolean;
}): Promise<Stack> {
  const { regions, say } = opts;
  const runId = randomUUID().slice(0, 8);
  const ns = `lt-${runId}-`;
  const topics = catalogue(ns);
  say(
    `infra: regions ${regions.join(',')}, replication delay ${String(opts.delayMs)} ms (user-space proxy on the MirrorMaker 2 path; no netem on this machine)`,
  );
  const endpoints = await up({ regions, delayMs: opts.delayMs, log: (l) => say(`  [infra] ${l}`) });
  const brokers: Record<string, string> = {};
  for (const r of regions) {
    brokers[r] = brokerOf(endpoints, r);
    const kafka = createKafka({
      clientId: `loadtest-admin-${r}`,
      brokers: [brokers[r]],
      logger: silentLogger(),
    });
    await ensureTopics(kafka, topicsForRegion(r, regions, topics));
  }
  say(`topics: namespace ${ns} (${String(TOPIC_LIST.length)} per region plus remote copies)`);
  const logDir = join('loadtest', 'reports', runId, 'logs');
  const apps: RunningApp[] = [];
  const common = (r: Region): Record<string, string> => ({
    REGION: r,
    KAFKA_BROKERS: brokers[r] ?? '',
    REDIS_URL: endpoints.redis[r] ?? '',
    CLICKHOUSE_URL: endpoints.clickhouse,
    TOPIC_NAMESPACE: ns,
    LOG_LEVEL: 'warn',
    PROFILE_KEY_PREFIX: `sb:${ns}`,
  });
  for (const r of regions) {
    const p = appPorts(r);
    apps.push(
      startApp(
        {
          name: `inventory-${r}`,
          entry: 'apps/inventory/src/main.ts',
          healthUrl: `http://127.0.0.1:${String(p.inventory)}/healthz`,
          env: {
            ...common(r),
            INVENTORY_PORT: String(p.inventory),
            INVENTORY_TOKEN,
            INVENTORY_REGIONS: regions.join(','),
          },
        },
        logDir,
      ),
      startApp(
        {
          name: `profile-builder-${r}`,
          entry: 'apps/profile-builder/src/main.ts',
          healthUrl: `http://127.0.0.1:${String(p.profileBuilder)}/healthz`,
          env: { ...common(r), PROFILE_BUILDER_PORT: String(p.profileBuilder) },
        },
        logDir,
      ),
      startApp(
        {
          name: `bidder-${r}`,
          entry: 'apps/bidder/src/main.ts',
          nodeArgs: BIDDER_NODE_FLAGS,
          healthUrl: `http://127.0.0.1:${String(p.bidder)}/healthz`,
          env: {
            ...common(r),
            BIDDER_PORT: String(p.bidder),
            BIDDER_WORKERS: '1',
            BIDDER_TRUST_FORWARDED: 'true',
          },
        },
        logDir,
      ),
    );
  }
  if (opts.withClickfraud) {
    const p = appPorts(ANALYTICS_REGION);
    apps.push(
      startApp(
        {
          name: 'clickfraud',
          entry: 'apps/clickfraud/src/main.ts',
          args: ['serve'],
          healthUrl: `http://127.0.0.1:${String(p.clickfraud)}/healthz`,
          env: {
            ...common(ANALYTICS_REGION),
            CLICKFRAUD_PORT: String(p.clickfraud),
            CLICKFRAUD_DB: `streambid_${runId}`,
          },
        },
        logDir,
      ),
    );
  }
  try {
    await Promise.all(apps.map((a) => waitHealthy(a)));
  } catch (err) {
    await Promise.all(apps.map((a) => stopApp(a)));
    throw err;
  }
  say(`apps: ${apps.map((a) => a.spec.name).join(', ')} healthy (logs in ${logDir})`);
  return { runId, ns, topics, regions, endpoints, apps, logDir, brokers };
}

export async function stopStack(stack: Stack): Promise<void> {
  await Promise.all(stack.apps.map((a) => stopApp(a)));
}

/** Creates campaigns through each region's inventory API (their home region). */
export async function seedCampaigns(
  stack: Stack,
  scenario: Scenario,
  flightEnd: number,
): Promise<SeededCampaign[]> {
  const seeded: SeededCampaign[] = [];
  for (const r of stack.regions) {
    const base = `http://127.0.0.1:${String(appPorts(r).inventory)}`;
    for (let i = 0; i < scenario.campaignsPerRegion; i++) {
      const id = `${stack.runId}-${r}-${String(i)}`;
      const budgetMicros = Math.round(scenario.budgetPerCampaign * 1e6);
      const perDayCap = i % 3 === 0 ? 3 : undefined;
      const res = await fetch(`${base}/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INVENTORY_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(campaignBody({ id, i, budgetMicros, flightEnd, perDayCap })),
      });
      if (res.status !== 201)
        throw new Error(`seeding ${id} in ${r}: HTTP ${String(res.status)} ${await res.text()}`);
      seeded.push({ id, homeRegion: r, budgetMicros, perDayCap });
    }
  }
  return seeded;
}

/** Publishes blocklist entries to the analytics region (as the clickfraud job would). */
export async function seedBlocklist(
  stack: Stack,
  entries: { kind: 'ip' | 'site'; value: string }[],
): Promise<void> {
  const kafka = createKafka({
    clientId: 'loadtest-blocklist',
    brokers: [stack.brokers[ANALYTICS_REGION] ?? ''],
    logger: silentLogger(),
  });
  const pub = await createPublisher(kafka);
  try {
    const now = Date.now();
    await pub.publish(
      stack.topics.fraudBlocklist,
      entries.map((e) => ({
        eventId: randomUUID(),
        ts: now,
        kind: e.kind,
        value: e.value,
        score: 0.99,
        reasons: ['loadtest seed'],
        expiresAt: now + 3_600_000,
      })),
    );
  } finally {
    await pub.close();
  }
}

/** Per-region outcome of the traffic phase. */
export interface RegionRun {
  region: Region;
  result: OpenModelResult;
  bids: number;
  wins: number;
  clicks: number;
  noticeErrors: number;
  blocklistedBids: number;
  botRequests: number;
  /** wins per `user|campaign` */
  winsByUserCampaign: Map<string, number>;
}

/**
 * Prepares one region's traffic (request bodies, the exchange's state) and returns the function
 * that sends it at a fixed rate and plays the exchange for its bids. Preparing every region
 * before starting any keeps one region's set-up from delaying another's first requests.
 */
export function prepareRegion(opts: {
  stack: Stack;
  region: Region;
  scenario: Scenario;
  blocked: { ips: Set<string>; sites: Set<string> };
  visits: Visit[];
}): () => Promise<RegionRun> {
  const { region, scenario } = opts;
  const rng = mulberry32(scenario.seed + REGION_INDEX[region] * 7919);
  const url = `http://127.0.0.1:${String(appPorts(region).bidder)}`;
  const run: Omit<RegionRun, 'result'> = {
    region,
    bids: 0,
    wins: 0,
    clicks: 0,
    noticeErrors: 0,
    blocklistedBids: 0,
    botRequests: 0,
    winsByUserCampaign: new Map(),
  };
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // Notices go over their own keep-alive connections (the generator's lean client).
  const notices = new RawHttpPool(url, { connections: 16, timeoutMs: 10_000 });
  const get = (u: string, v: Visit, expect: number): Promise<void> =>
    new Promise((resolve) => {
      const path = u.startsWith(url) ? u.slice(url.length) : u;
      const headers = { 'x-forwarded-for': v.ip, 'user-agent': v.ua };
      notices.request('GET', path, headers, undefined, false, (err, res) => {
        if (err || res?.status !== expect) run.noticeErrors++;
        resolve();
      });
    });
  // Bodies are built before the clock starts so the generator spends its CPU on sending.
  const size = Math.max(1, Math.min(Math.ceil(scenario.rate * scenario.durationS), 30_000));
  const bodies: string[] = [];
  /** Whether request k names its site (app requests carry no site domain to block on). */
  const namesSite: boolean[] = [];
  for (let k = 0; k < size; k++) {
    const req = requestFor(opts.visits[k % opts.visits.length] as Visit, rng);
    bodies.push(JSON.stringify(req));
    namesSite.push(req.site?.domain !== undefined);
  }
  const visitOf = new Map<number, { v: Visit; k: number }>();
  const afterWin = async (
    nurl: string,
    v: Visit,
    price: number,
    ids: { requestId: string; bidId: string; impId: string; adId: string },
  ): Promise<void> => {
    await get(fillMacros(nurl, { price, seat: 'exchange', cur: 'USD', ...ids }), v, 200);
    await get(trackerUrl(nurl, '/t/imp'), v, 200);
    for (const delay of v.clickDelaysMs.slice(0, 3)) {
      await new Promise((r) => setTimeout(r, Math.min(delay, 2000)));
      run.clicks++;
      await get(trackerUrl(nurl, '/t/click'), v, 302);
    }
  };
  return async () => {
    const result = await runOpenModel({
      url,
      rate: scenario.rate,
      durationS: scenario.durationS,
      connections: 32,
      timeline: true,
      makeRequest: (i) => {
        const k = i % size;
        const v = opts.visits[k % opts.visits.length] as Visit;
        visitOf.set(i, { v, k });
        if (v.label !== 'human') run.botRequests++;
        return {
          method: 'POST',
          path: '/openrtb2/bid',
          headers: { 'content-type': 'application/json', 'x-openrtb-version': '2.6' },
          body: bodies[k] ?? '',
          tag: region,
        };
      },
      onResponse: (status, body, i) => {
        const seen = visitOf.get(i);
        visitOf.delete(i);
        if (status !== 200 || !seen) return;
        const v = seen.v;
        const blocked =
          opts.blocked.ips.has(v.ip) ||
          (namesSite[seen.k] === true && opts.blocked.sites.has(v.siteDomain));
        let resp: BidResponse;
        try {
          resp = JSON.parse(body) as BidResponse;
        } catch {
          return;
        }
        for (const sb of resp.seatbid ?? []) {
          for (const b of sb.bid) {
            run.bids++;
            if (blocked) run.blocklistedBids++;
            if (rng() >= scenario.winRate || !b.nurl) continue;
            run.wins++;
            const cid = b.cid ?? '';
            const k = `${v.userId}|${cid}`;
            run.winsByUserCampaign.set(k, (run.winsByUserCampaign.get(k) ?? 0) + 1);
            const clearing = Math.max(0.000001, b.price * (0.6 + 0.4 * rng()));
            track(
              afterWin(b.nurl, v, clearing, {
                requestId: resp.id,
                bidId: b.id,
                impId: b.impid,
                adId: b.adid ?? '',
              }),
            );
          }
        }
      },
    });
    while (pending.size > 0) await Promise.race(pending);
    notices.close();
    return { ...run, result };
  };
}

export { ReplicationLagProbe, buildVisits };
