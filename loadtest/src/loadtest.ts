import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Region } from '@streambid/contracts';
import { mulberry32 } from '@streambid/testkit';
import type { LoadtestArgs, Scenario } from './args.js';
import { collectSpend, ReplicationLagProbe } from './business.js';
import { slicesForFile } from './cpu-sampler.js';
import { warmUp } from './settle.js';
import { buildVisits, requestFor, type Visit } from './exchange.js';
import { gcLogs, NODE_GC_FLAGS } from './gc-logs.js';
import { PhaseProgress } from './progress.js';
import { plansFor } from './scenarios.js';
import { loadDelivery } from './report/delivery.js';
import { renderReport } from './report/html.js';
import { screenshotDashboard } from './report/screenshot.js';
import { endOfTestSummary } from './report/terminal.js';
import { sampledDrive, sayPhaseView, stackSampler } from './phase.js';
import type { SeededCampaign } from './seed.js';
import {
  appPorts,
  prepareRegion,
  seedBlocklist,
  seedCampaigns,
  setAppPortOffset,
  startStack,
  stopStack,
  type RegionRun,
  type Stack,
} from './run.js';
import { startApp, waitHealthy } from './stack.js';
import { summarise, type Summary } from './summary.js';

/** Port of the dashboard a run starts (below eu's apps; `--port-offset` shifts it with them). */
export const DASHBOARD_PORT = 8060;

/** The live dashboard of a run: its URL (with the token) and its process. */
export interface RunDashboard {
  url: string;
  pid: number | undefined;
}

const dashboards = new WeakMap<Stack, RunDashboard>();

/** The dashboard started with `stack`, if any. */
export function dashboardOf(stack: Stack): RunDashboard | undefined {
  return dashboards.get(stack);
}

/**
 * Starts the dashboard over the stack's regions (their brokers, bidders and inventories, under
 * its topic namespace) with a fresh token, as one of the stack's apps: `stopStack` stops it with
 * the rest, `keepStack` leaves it running. Prints its URL.
 */
async function startDashboard(
  stack: Stack,
  portOffset: number,
  say: (l: string) => void,
): Promise<RunDashboard> {
  const port = DASHBOARD_PORT + portOffset;
  const token = randomBytes(18).toString('base64url');
  const targets = stack.regions.flatMap((r) => {
    const p = appPorts(r);
    return [
      `${r}:bidder=http://127.0.0.1:${String(p.bidder)}`,
      `${r}:inventory=http://127.0.0.1:${String(p.inventory)}`,
    ];
  });
  const app = startApp(
    {
      name: 'dashboard',
      entry: 'apps/dashboard/src/main.ts',
      healthUrl: `http://127.0.0.1:${String(port)}/healthz`,
      env: {
        DASHBOARD_PORT: String(port),
        DASHBOARD_HOST: '127.0.0.1',
        DASHBOARD_TOKEN: token,
        DASHBOARD_REGIONS: stack.regions.join(','),
        DASHBOARD_KAFKA: stack.regions.map((r) => `${r}=${stack.brokers[r] ?? ''}`).join(','),
        DASHBOARD_TARGETS: targets.join(','),
        TOPIC_NAMESPACE: stack.ns,
        LOG_LEVEL: 'warn',
      },
    },
    stack.logDir,
  );
  stack.apps.push(app);
  await waitHealthy(app, 60_000);
  const d = { url: `http://127.0.0.1:${String(port)}/?token=${token}`, pid: app.child.pid };
  dashboards.set(stack, d);
  say(`dashboard: ${d.url}`);
  return d;
}

/** `--keep`: where the dashboard stays up and how to stop it. */
export function sayDashboardKept(stack: Stack, say: (l: string) => void): void {
  const d = dashboardOf(stack);
  if (d?.pid !== undefined)
    say(`dashboard left running (--keep): ${d.url} | stop with: kill ${String(d.pid)}`);
}

/** Waits until a region's bidder answers a bid (campaigns and allowances have arrived). */
async function waitForBids(region: Region, visits: Visit[], timeoutMs: number): Promise<void> {
  const rng = mulberry32(1);
  const deadline = Date.now() + timeoutMs;
  const url = `http://127.0.0.1:${String(appPorts(region).bidder)}/openrtb2/bid`;
  let i = 0;
  while (Date.now() < deadline) {
    const v = visits[i++ % visits.length] as Visit;
    if (v.label !== 'human') continue;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestFor(v, rng)),
    });
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (i % 20 === 0) await sleep(250);
  }
  throw new Error(
    `bidder ${region} did not bid within ${String(timeoutMs)} ms (campaigns or allowances missing)`,
  );
}

/** Waits until every region's bidder holds at least `n` blocklist entries (replicated from eu). */
async function waitForBlocklist(
  regions: readonly Region[],
  n: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const r of regions) {
    for (;;) {
      const text = await (
        await fetch(`http://127.0.0.1:${String(appPorts(r).bidder)}/metrics`)
      ).text();
      const held = [...text.matchAll(/^bidder_blocklist_entries\{[^}]*\} (\d+)/gm)].map((m) =>
        Number(m[1]),
      );
      if (held.length > 0 && Math.min(...held) >= n) break;
      if (Date.now() > deadline)
        throw new Error(`bidder ${r} did not receive the blocklist within ${String(timeoutMs)} ms`);
      await sleep(250);
    }
  }
}

/**
 * The bot share of each region's visit pool: the file's, or enough for the named scenarios that
 * ask for bots to draw from (they pick people and bots at their own shares).
 */
function poolBotShare(sc: Scenario): number {
  const wanted = Object.values(sc.scenarios).map((s) => s.botShare ?? sc.botShare);
  return Math.max(sc.botShare, ...wanted.map((b) => (b > 0 ? Math.min(0.3, Math.max(b, 0.1)) : 0)));
}

/** A stack ready for traffic: seeded, its blocklist replicated, every bidder bidding. */
export interface Traffic {
  stack: Stack;
  seeded: SeededCampaign[];
  /** When seeding began (the reconcile window opens here). */
  windowFrom: number;
  /**
   * Prepares every region's traffic at `sc`'s rate and duration; each function then sends it.
   * With `progress`, the phase prints one line a second under that label (progress.ts).
   */
  prepare: (sc: Scenario, progress?: string) => (() => Promise<RegionRun>)[];
}

/**
 * Brings the stack up, seeds the blocklist and campaigns (flights `flightS` long from now, with
 * `budgetPerCampaign` from `scenario`), and waits until every region bids and holds the
 * blocklist. On failure it stops what it started.
 */
export async function bringUp(
  args: LoadtestArgs,
  scenario: Scenario,
  opts: { flightS: number; maxRequestsPerRegion: number },
  say: (l: string) => void,
): Promise<Traffic> {
  const { regions } = args;
  setAppPortOffset(args.portOffset ?? 0);
  const stack = await startStack({
    regions,
    delayMs: scenario.replicationDelayMs,
    say,
    withClickfraud: args.keep,
    nodeArgs: args.gcLogs === true ? NODE_GC_FLAGS : [],
  });
  try {
    // Started before seeding, so the page shows the campaigns and the blocklist as they arrive.
    await startDashboard(stack, args.portOffset ?? 0, say);
    const perRegion = Math.min(200_000, Math.ceil(opts.maxRequestsPerRegion));
    const visits = new Map(
      regions.map((r, i) => [
        r,
        buildVisits({
          seed: scenario.seed + i,
          region: r,
          count: Math.max(2000, Math.min(perRegion, 60_000)),
          botShare: poolBotShare(scenario),
          clickRate: scenario.clickRate,
        }),
      ]),
    );
    // The clickfraud job would have blocked these already: a few data-centre IPs and the click farm.
    const all = [...visits.values()].flat();
    const blockedIps = [
      ...new Set(all.filter((v) => v.label === 'datacentre').map((v) => v.ip)),
    ].slice(0, 20);
    const blockedSites = [
      ...new Set(all.filter((v) => v.label === 'click_farm').map((v) => v.siteDomain)),
    ].slice(0, 1);
    await seedBlocklist(stack, [
      ...blockedIps.map((value) => ({ kind: 'ip' as const, value })),
      ...blockedSites.map((value) => ({ kind: 'site' as const, value })),
    ]);
    const windowFrom = Date.now();
    const seeded = await seedCampaigns(stack, scenario, Date.now() + opts.flightS * 1000);
    say(
      `seeded ${String(seeded.length)} campaigns through the inventory APIs and blocklisted ${String(blockedIps.length)} IPs, ${String(blockedSites.length)} site(s)`,
    );
    await Promise.all(regions.map((r) => waitForBids(r, visits.get(r) ?? [], 90_000)));
    // Traffic starts once the blocklist has replicated everywhere: bids on blocked entities after
    // that are the bidder's fault, not replication lag.
    await waitForBlocklist(regions, blockedIps.length + blockedSites.length, 90_000);
    // Give remote campaigns and allowances a moment past the first bid in every region.
    await sleep(2000);
    const blocked = { ips: new Set(blockedIps), sites: new Set(blockedSites) };
    const prepare = (sc: Scenario, label?: string): (() => Promise<RegionRun>)[] => {
      // A region with several scenarios reports once per scenario for each second it runs.
      const ends = new Map(regions.map((r) => [r, plansFor(sc, r).map((p) => p.endS)]));
      const reporters = (r: string, second: number): number =>
        (ends.get(r as Region) ?? []).filter((e) => Math.ceil(e) >= second).length;
      const progress =
        label === undefined
          ? undefined
          : new PhaseProgress(label, regions, sc.durationS, say, reporters);
      return regions.map((r) =>
        prepareRegion({
          stack,
          region: r,
          scenario: sc,
          visits: visits.get(r) ?? [],
          blocked,
          ...(progress ? { progress } : {}),
        }),
      );
    };
    return { stack, seeded, windowFrom, prepare };
  } catch (err) {
    await stopStack(stack, say);
    throw err;
  }
}

/**
 * The whole load test. With `keep`, the stack is left running and returned (the demo uses it);
 * otherwise every app it started is stopped before it returns.
 */
export async function runLoadtest(
  args: LoadtestArgs,
  say: (l: string) => void,
): Promise<{ summary: Summary; stack: Stack; runs: RegionRun[] }> {
  const { scenario, regions } = args;
  const { stack, seeded, windowFrom, prepare } = await bringUp(
    args,
    scenario,
    {
      flightS: scenario.warmupS + scenario.durationS + 20,
      maxRequestsPerRegion: scenario.rate * scenario.durationS,
    },
    say,
  );
  try {
    const probe = new ReplicationLagProbe();
    await probe.start(stack.brokers, stack.topics);
    // The measured phase's request bodies are built before the warm-up: building them between
    // the phases grew the generator's heap by ~60 MB right before the clock started, and the
    // mark-compact that followed stalled the generator in the measured phase's first seconds.
    const measured = prepare(scenario, 'traffic');
    const outDir = join(args.outDir, stack.runId);
    mkdirSync(outDir, { recursive: true });
    // The dashboard's screenshot is taken during the warm-up, every region live: Chromium costs
    // the generator's host a few hundred ms of CPU, which the measured phase must not pay (a
    // settled warm-up runs on until the stack is steady again).
    const dashboard = dashboardOf(stack);
    const shot = join(outDir, 'dashboard.png');
    const screenshot =
      args.screenshot === true && dashboard
        ? sleep(Math.min(4, scenario.warmupS / 2) * 1000).then(() =>
            screenshotDashboard(dashboard.url, shot),
          )
        : null;
    // A fixed warm-up shows a line a second; one until settled says each fifth 2 s round instead.
    const warm = await warmUp(
      scenario.warmupUntilSettled ? prepare : (sc) => prepare(sc, 'warm-up'),
      scenario,
      say,
    );
    const warmup = warm.runs;
    if (screenshot) {
      const missing = await screenshot;
      say(
        missing === null ? `dashboard screenshot: ${shot}` : `no dashboard screenshot: ${missing}`,
      );
    }
    const named = Object.keys(scenario.scenarios);
    say(
      named.length === 0
        ? `traffic: ${String(scenario.rate)} req/s per region for ${String(scenario.durationS)} s ...`
        : `traffic: scenarios ${named.join(', ')} at once for ${String(scenario.durationS)} s ...`,
    );
    const sampled = await sampledDrive(stackSampler(stack), measured, scenario.durationS);
    const { runs, view } = sampled;
    say('traffic done; settling spend and replication ...');
    await sleep(3000 + scenario.replicationDelayMs * 2);
    const spend = await collectSpend(stack.brokers, stack.topics);
    const windowTo = Date.now();
    await probe.stop();
    const reportHtml = join(outDir, 'report.html');
    const reportJson = join(outDir, 'summary.json');
    const summary = summarise({
      runId: stack.runId,
      scenario,
      runs,
      warmup,
      ...(warm.settle ? { settle: warm.settle } : {}),
      seeded,
      spend,
      namespace: stack.ns,
      window: { from_ms: windowFrom, to_ms: windowTo },
      brokers: stack.brokers,
      inventoryUrls: Object.fromEntries(
        regions.map((r) => [r, `http://127.0.0.1:${String(appPorts(r).inventory)}`]),
      ),
      lag: { p50: probe.p50Ms(), p99: probe.p99Ms() },
      reportHtml,
      reportJson,
      view,
      gcLogs: gcLogs(regions, stack.logDir, args.gcLogs === true),
    });
    writeFileSync(reportJson, `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(
      join(outDir, 'cpu-slices.json'),
      `${JSON.stringify({ measured: slicesForFile(sampled.rec, sampled.startMs) })}\n`,
    );
    say('delivery from ClickHouse (npm run report -- delivery --run) ...');
    const delivery = await loadDelivery(stack.runId, resolve(args.outDir));
    if (!delivery.ok) say(`  delivery report left out of the HTML: ${delivery.reason}`);
    writeFileSync(reportHtml, renderReport(summary, runs, delivery));
    say(`report: ${reportHtml}`);
    say('');
    for (const line of endOfTestSummary(summary)) say(line);
    say(
      `  reconcile this run's money across bidders, topics, ClickHouse and the inventories: ${summary.reconcile_command}${args.keep ? '' : ' --no-ledger (the inventories are stopped; add --keep to compare their ledgers too)'}`,
    );
    sayPhaseView(view, say);
    if (!args.keep) await stopStack(stack, say);
    return { summary, stack, runs };
  } catch (err) {
    await stopStack(stack, say);
    throw err;
  }
}
