import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createKafka, createPublisher, ensureTopics, silentLogger } from '@streambid/adapters';
import {
  ANALYTICS_REGION,
  catalogue,
  remoteTopicName,
  TOPIC_LIST,
  type BidResponse,
  type Catalogue,
  type Region,
  type TopicDef,
} from '@streambid/contracts';
import {
  mergeResults,
  RawHttpPool,
  runOpenModel,
  type RawResponse,
  type SecondProgress,
} from '@streambid/loadgen';
import { BIDDER_NODE_FLAGS } from '@streambid/bidder';
import { release, status, up, type Endpoints } from '@streambid/infra';
import { mulberry32 } from '@streambid/testkit';
import type { Scenario } from './args.js';
import { ReplicationLagProbe } from './business.js';
import {
  emptyRegionRun,
  type BillingRecord,
  type RegionRun,
  type ScenarioRegionRun,
} from './region-run.js';
import { buildVisits, fillMacros, requestFor, markupTracker, type Visit } from './exchange.js';
import { decideBid, LOSS_REASON } from './auction.js';
import {
  addCheckCounts,
  checkResponse,
  emptyCheckCounts,
  requestFacts,
  sampled,
  type RequestFacts,
} from './checks.js';
import { plansFor, type ScenarioPlan } from './scenarios.js';
import type { PhaseProgress } from './progress.js';
import { knownBotReason } from './known-bots.js';
import { campaignBody, type SeededCampaign } from './seed.js';
import { startApp, stopApp, waitHealthy, type AppSpec, type RunningApp } from './stack.js';

export const INVENTORY_TOKEN = 'loadtest-token';
/** The bearer token of the stack's clickfraud reports (`CLICKFRAUD_REPORT_TOKEN`). */
export const REPORT_TOKEN = 'loadtest-report-token';
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
  /** Node flags added to every app (e.g. `--trace-gc`). @default none */
  nodeArgs?: readonly string[];
}): Promise<Stack> {
  const { regions, say } = opts;
  const runId = randomUUID().slice(0, 8);
  const ns = `lt-${runId}-`;
  const topics = catalogue(ns);
  say(
    `infra: regions ${regions.join(',')}, replication delay ${String(opts.delayMs)} ms (user-space proxy on the MirrorMaker 2 path; no netem on this machine)`,
  );
  // A lease: what this run starts is stopped by stopStack unless another run still uses it.
  const endpoints = await up({ regions, delayMs: opts.delayMs, log: infraLog(say), lease: true });
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
  const launch = (spec: AppSpec, dir: string): RunningApp =>
    startApp({ ...spec, nodeArgs: [...(spec.nodeArgs ?? []), ...(opts.nodeArgs ?? [])] }, dir);
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
      launch(
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
      launch(
        {
          name: `profile-builder-${r}`,
          entry: 'apps/profile-builder/src/main.ts',
          healthUrl: `http://127.0.0.1:${String(p.profileBuilder)}/healthz`,
          env: { ...common(r), PROFILE_BUILDER_PORT: String(p.profileBuilder) },
        },
        logDir,
      ),
      launch(
        {
          name: `bidder-${r}`,
          entry: 'apps/bidder/src/main.ts',
          nodeArgs: BIDDER_NODE_FLAGS,
          healthUrl: `http://127.0.0.1:${String(p.bidder)}/healthz`,
          env: {
            ...common(r),
            BIDDER_PORT: String(p.bidder),

            BIDDER_DEV_MODE: 'true',
            // Requests without regs.gdpr count as outside GDPR here (the default says GDPR).
            PRIVACY_GDPR_DEFAULT: 'false',
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
      launch(
        {
          name: 'clickfraud',
          entry: 'apps/clickfraud/src/main.ts',
          args: ['serve'],
          healthUrl: `http://127.0.0.1:${String(p.clickfraud)}/healthz`,
          env: {
            ...common(ANALYTICS_REGION),
            CLICKFRAUD_PORT: String(p.clickfraud),
            CLICKFRAUD_REPORT_TOKEN: REPORT_TOKEN,
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
    await release({ log: infraLog(say) });
    throw err;
  }
  say(`apps: ${apps.map((a) => a.spec.name).join(', ')} healthy (logs in ${logDir})`);
  return { runId, ns, topics, regions, endpoints, apps, logDir, brokers };
}

const infraLog =
  (say: (l: string) => void) =>
  (l: string): void =>
    say(`  [infra] ${l}`);

/**
 * Stops the apps, then the infra services this run started (unless another live run still uses
 * them: then the last one out stops them), and says what is left running.
 */
export async function stopStack(stack: Stack, say: (l: string) => void = () => undefined) {
  await Promise.all(stack.apps.map((a) => stopApp(a)));
  await release({ log: infraLog(say) });
  await sayLeftRunning(say);
}

/** `--keep`: leaves apps and infra running, ends the lease, and says what runs and how to stop it. */
export async function keepStack(stack: Stack, say: (l: string) => void): Promise<void> {
  await release({ keep: true });
  say(
    `apps left running (--keep): ${stack.apps.map((a) => `${a.spec.name} pid ${String(a.child.pid)}`).join(', ')}`,
  );
  await sayLeftRunning(say);
}

/** Names the local services still up, and how to stop them. */
async function sayLeftRunning(say: (l: string) => void): Promise<void> {
  const all = await status();
  const ours = all.filter((s) => s.state === 'up').map((s) => s.name);
  const external = all.filter((s) => s.state === 'up (external)').map((s) => s.name);
  if (external.length > 0)
    say(`not ours, left alone: ${external.join(', ')} (were running before streambid)`);
  say(
    ours.length === 0
      ? 'infra: nothing of ours left running'
      : `infra left running: ${ours.join(', ')} (running before this command, used by another run, or --keep); stop with: npm run infra -- down`,
  );
}

/** Creates campaigns through each region's inventory API (their home region). */
export async function seedCampaigns(
  stack: Stack,
  scenario: Scenario,
  flightEnd: number,
): Promise<SeededCampaign[]> {
  const seeded: SeededCampaign[] = [];
  for (const [regionIndex, r] of stack.regions.entries()) {
    const base = `http://127.0.0.1:${String(appPorts(r).inventory)}`;
    for (let i = 0; i < scenario.campaignsPerRegion; i++) {
      const id = `${stack.runId}-${r}-${String(i)}`;
      const budgetMicros = Math.round(scenario.budgetPerCampaign * 1e6);
      const perDayCap = i % 3 === 0 ? 3 : undefined;
      const res = await fetch(`${base}/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INVENTORY_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          campaignBody({
            id,
            i,
            budgetMicros,
            flightEnd,
            perDayCap,
            regionIndex,
            regionCount: stack.regions.length,
          }),
        ),
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

// The per-region outcome lives in a module of its own, so unit tests build one without the stack.
export type { BillingRecord, RegionRun } from './region-run.js';

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
  /** Where this region's live progress goes, one report per second of traffic. @default none */
  progress?: PhaseProgress;
}): () => Promise<RegionRun> {
  const { region, scenario } = opts;
  const fx = scenario.fxRates;
  const competing = scenario.competingBidByRegion[region] ?? scenario.competingBid;
  const rng = mulberry32(scenario.seed + REGION_INDEX[region] * 7919);
  const url = `http://127.0.0.1:${String(appPorts(region).bidder)}`;
  const run = emptyRegionRun(region);
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // Notices go over their own keep-alive connections (the generator's lean client).
  const notices = new RawHttpPool(url, { connections: 16, timeoutMs: 10_000 });
  const call = (u: string, v: Visit, readBody: boolean): Promise<RawResponse | undefined> =>
    new Promise((resolve) => {
      const path = u.startsWith(url) ? u.slice(url.length) : u;
      const headers = { 'x-forwarded-for': v.ip, 'user-agent': v.ua };
      notices.request('GET', path, headers, undefined, readBody, (err, res) =>
        resolve(err ? undefined : res),
      );
    });
  const get = async (u: string, v: Visit, expect: number): Promise<void> => {
    const res = await call(u, v, false);
    if (res?.status !== expect) run.noticeErrors++;
  };
  /**
   * Sends a billing notice as an exchange does: again after "try again" (503, bounded), and a
   * share of them twice on purpose. Every answer goes into the exchange's own record.
   */
  const billingNotice = async (
    u: string,
    v: Visit,
    rec: BillingRecord,
    clearing: number,
  ): Promise<void> => {
    const once = async (): Promise<boolean> => {
      rec.sent++;
      const res = await call(u, v, true);
      if (res?.status === 503) {
        rec.retriable++;
        return false;
      }
      if (res?.status !== 200) {
        run.noticeErrors++;
        return true;
      }
      const a = JSON.parse(res.body) as { billed?: boolean; duplicate?: boolean };
      if (a.billed === true) {
        rec.billed++;
        // CPM → one impression's spend, in micros.
        if (!rec.test) run.billedMicros += Math.round(clearing * 1000);
      }
      if (a.duplicate === true) rec.duplicates++;
      return true;
    };
    for (let attempt = 0; attempt < 20 && !(await once()); attempt++)
      await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
    if (rng() < scenario.duplicateNoticeShare) await once();
  };
  /**
   * A win (answered 200) or loss notice (204). Exchanges retry notices they are unsure were
   * delivered: a share goes twice, on purpose, and the record counts both.
   */
  const notice = async (kind: 'win' | 'loss', u: string, v: Visit): Promise<void> => {
    const expect = kind === 'win' ? 200 : 204;
    const twice = rng() < scenario.duplicateNoticeShare;
    run.notices[kind] += twice ? 2 : 1;
    if (twice) run.notices[kind === 'win' ? 'winDuplicates' : 'lossDuplicates']++;
    await get(u, v, expect);
    if (twice) await get(u, v, expect);
  };
  /** The exchange's side of a won auction: win notice, render (pixel), billing notice, clicks. */
  const afterWin = async (
    b: { nurl: string; burl: string | undefined; adm: string; test: boolean },
    v: Visit,
    price: number,
    ids: { requestId: string; bidId: string; impId: string; adId: string },
  ): Promise<void> => {
    const macros = { price, seat: 'exchange', cur: 'USD', loss: LOSS_REASON.won, ...ids };
    await notice('win', fillMacros(b.nurl, macros), v);
    const imp = markupTracker(b.adm, '/t/imp');
    if (imp !== undefined) await get(imp, v, 200);
    // OpenRTB 2.6: the billing notice fires once the impression is billable (here: rendered).
    const rec: BillingRecord = { test: b.test, sent: 0, billed: 0, duplicates: 0, retriable: 0 };
    run.billing.set(ids.bidId, rec);
    if (b.burl !== undefined) await billingNotice(fillMacros(b.burl, macros), v, rec, price);
    const click = markupTracker(b.adm, '/t/click');
    for (const delay of v.clickDelaysMs.slice(0, 3)) {
      await new Promise((r) => setTimeout(r, Math.min(delay, 2000)));
      run.clicks++;
      if (click !== undefined) await get(click, v, 302);
    }
  };
  const humans = opts.visits.filter((v) => v.label === 'human');
  const bots = opts.visits.filter((v) => v.label !== 'human');
  const planned = plansFor(scenario, region).map((plan, n) =>
    preparePlan(plan, mulberry32(scenario.seed + REGION_INDEX[region] * 7919 + (n + 1) * 104_729)),
  );
  /**
   * One scenario's traffic: its request bodies are built before the clock starts, so the
   * generator spends its CPU on sending. The default scenario takes the region's visit pool in
   * order; a named one draws people and bots at its own bot share.
   */
  function preparePlan(plan: ScenarioPlan, planRng: () => number) {
    const size = Math.max(1, Math.min(plan.requests, 30_000));
    const visitFor = (k: number): Visit => {
      const share = plan.mix.botShare;
      if (share === undefined || opts.visits.length === 0)
        return opts.visits[k % opts.visits.length] as Visit;
      const pool = (planRng() < share && bots.length > 0) || humans.length === 0 ? bots : humans;
      return pool[Math.floor(planRng() * pool.length)] as Visit;
    };
    // The default scenario draws from the region's generator, as the fixed-rate run always did.
    const bodyRng = plan.mix.botShare === undefined ? rng : planRng;
    const visitsOf: Visit[] = [];
    const bodies: string[] = [];
    /** Whether request k names its site (app requests carry no site domain to block on). */
    const namesSite: boolean[] = [];
    /** Whether request k is test traffic (`test: 1`: answered, never billed). */
    const isTest: boolean[] = [];
    /** Whether request k's visit is a bot the bidder can know before the bid. */
    const knownBot: boolean[] = [];
    /** What the checks and the auction need of request k (its id, floors, `badv`). */
    const facts: RequestFacts[] = [];
    for (let k = 0; k < size; k++) {
      const v = visitFor(k);
      const req = requestFor(v, bodyRng, plan.mix);
      if (bodyRng() < scenario.testShare) req.test = 1;
      visitsOf.push(v);
      bodies.push(JSON.stringify(req));
      namesSite.push(req.site?.domain !== undefined);
      isTest.push(req.test === 1);
      knownBot.push(knownBotReason(v) !== null);
      facts.push(requestFacts(req, fx));
    }
    return { plan, size, visitsOf, bodies, namesSite, isTest, knownBot, facts };
  }
  const runPlan = async (p: ReturnType<typeof preparePlan>): Promise<ScenarioRegionRun> => {
    const { plan, size, visitsOf, bodies, namesSite, isTest, knownBot, facts } = p;
    const checks = emptyCheckCounts();
    const visitOf = new Map<number, { v: Visit; k: number }>();
    let bids = 0;
    const result = await runOpenModel({
      url,
      profile: plan.profile,
      // Several scenarios share the region's bidder: their pools together stay near 32.
      connections: Math.max(8, Math.ceil(32 / planned.length)),
      timeline: true,
      makeRequest: (i) => {
        const k = i % size;
        const v = visitsOf[k] as Visit;
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
      ...(opts.progress
        ? {
            onSecond: (second: SecondProgress) => {
              opts.progress?.report({
                region,
                source: plan.name,
                second,
                bids: run.bids,
                spendMicros: run.billedMicros,
              });
            },
          }
        : {}),
      onResponse: (status, body, i) => {
        const seen = visitOf.get(i);
        visitOf.delete(i);
        if (status !== 200 || !seen) return;
        const v = seen.v;
        const req = facts[seen.k];
        const blocked =
          opts.blocked.ips.has(v.ip) ||
          (namesSite[seen.k] === true && opts.blocked.sites.has(v.siteDomain));
        const checked = req !== undefined && sampled(i, scenario.checkShare);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          if (checked) checks.response_schema.fails++;
          return;
        }
        const verdicts = checked ? checkResponse(parsed, req, fx, checks) : [];
        const resp = parsed as BidResponse;
        const floors = req?.floorsUsd;
        const usdPerUnit = fx[resp.cur ?? 'USD'] ?? 1;
        let n = 0;
        for (const sb of Array.isArray(resp.seatbid) ? resp.seatbid : []) {
          for (const b of Array.isArray(sb.bid) ? sb.bid : []) {
            const verdict = verdicts[n++];
            if (typeof b !== 'object' || b === null) continue;
            // An unchecked bid without a numeric price is still no bid the auction can price.
            const failedChecks =
              verdict ?? (typeof b.price === 'number' ? [] : ['response_schema']);
            run.bids++;
            bids++;
            if (blocked) run.blocklistedBids++;
            if (knownBot[seen.k] === true) run.bidsOnKnownBots++;
            const decision = decideBid(
              {
                type: scenario.auction,
                price: b.price,
                floor: (floors?.get(b.impid) ?? 0) / usdPerUnit,
                failedChecks,
                competing,
                winRate: scenario.winRate,
              },
              rng,
            );
            const ids = { requestId: resp.id, bidId: b.id, impId: b.impid, adId: b.adid ?? '' };
            if (!decision.won) {
              run.lossReasons[decision.reason] = (run.lossReasons[decision.reason] ?? 0) + 1;
              // The old coin flip sent no loss notices; the auctions do.
              if (scenario.auction !== 'random' && b.lurl)
                track(
                  notice(
                    'loss',
                    fillMacros(b.lurl, {
                      price: decision.clearing,
                      seat: 'exchange',
                      cur: resp.cur ?? 'USD',
                      loss: decision.reason,
                      minToWin: decision.minToWin,
                      ...ids,
                    }),
                    v,
                  ),
                );
              continue;
            }
            if (!b.nurl) continue;
            run.wins++;
            if (v.label !== 'human') run.invalidBids.add(b.id);
            const cid = b.cid ?? '';
            const k = `${v.userId}|${cid}`;
            run.winsByUserCampaign.set(k, (run.winsByUserCampaign.get(k) ?? 0) + 1);
            track(
              afterWin(
                { nurl: b.nurl, burl: b.burl, adm: b.adm ?? '', test: isTest[seen.k] === true },
                v,
                decision.clearing,
                ids,
              ),
            );
          }
        }
      },
    });
    addCheckCounts(run.checks, checks);
    return { scenario: plan.name, tags: plan.tags, activeS: plan.activeS, result, checks, bids };
  };
  return async () => {
    const scenarios = await Promise.all(planned.map(runPlan));
    const result = mergeResults(scenarios.map((x) => x.result));
    if (pending.size > 0)
      opts.progress?.note(
        `${region}: sending done; waiting for ${String(pending.size)} notice and click sequences`,
      );
    while (pending.size > 0) await Promise.race(pending);
    notices.close();
    return { ...run, result, scenarios };
  };
}

export { ReplicationLagProbe, buildVisits };
