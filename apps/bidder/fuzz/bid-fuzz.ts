/**
 * The in-process bid-path fuzzer: raw-text mutations of real requests run through the real flow
 * (`createBidFlow`, no HTTP) over the fuzz world. For every case it checks that the flow answers
 * once, without throwing, without a 5xx, within tmax + 50 ms; that every event it emits passes its
 * topic schema, one bid event per bid; and, for every bid, that its tracker token decodes and
 * round-trips and that the spend, win, impression and click built from it (with hostile prices,
 * IPs and user agents) pass theirs. A body over the bidder's body limit is answered 413 by the
 * HTTP edge and never reaches the flow: it is counted as such. One request holding the thread for
 * more than 50 ms of CPU counts as a hang too (every other request on the thread waits for it).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { TOPICS, type BidResponse } from '@streambid/contracts';
import { mulberry32 } from '@streambid/testkit';
import type { BidAnswer, BidCall } from '../src/http/bid-flow.js';
import { decodeToken, encodeTokens, tokenTtlOf, type TrackerKind } from '../src/domain/token.js';
import type { StreamEvent } from '../src/runtime/events.js';
import {
  clearingMicros,
  clickEvent,
  impressionEvent,
  campaignPrice,
  lossEvent,
  spendOf,
  winEvent,
  type HitFacts,
} from '../src/domain/tracker-events.js';
import { chance, mutateJson, pick, PRICE_SPELLINGS, type Rng } from './mutators.js';
import { bidSeeds, pickSeed, type SeedPool } from './seeds.js';
import { createWorld, eventProblem, type ProfileBehaviour, type World } from './world.js';

/** The fuzzers' last line. */
export interface FuzzSummary {
  cases: number;
  crashes: number;
  hangs: number;
  status_5xx: number;
  invalid_events: number;
  rss_growth_mb: number;
  ms: number;
  seed: number;
}

export type FindingKind = 'crash' | 'hang' | 'status_5xx' | 'invalid_event';

/** One failed check, with what it takes to replay it (`--seed S --case N`). */
export interface Finding {
  case: number;
  kind: FindingKind;
  detail: string;
  seedName: string;
  classes: readonly string[];
  /** The head of the body, as a JSON string. */
  body: string;
}

export interface BidFuzzReport {
  summary: FuzzSummary;
  findings: Finding[];
  stats: {
    statuses: Record<string, number>;
    classes: Record<string, number>;
    bids: number;
    events: number;
    trackerChecks: number;
    asyncAnswers: number;
    largestBodyBytes: number;
    longestTrackerUrl: number;
    /** Answers past tmax + 50 ms explained by the host descheduling the process. */
    excusedLate: number;
    /** The most CPU one case took synchronously (ms), among those that took long enough to measure. */
    slowestCaseMs: number;
    /** Process RSS after a full GC, once warm and at the end (MB). */
    rssMb?: { afterWarmUp: number; end: number };
  };
}

/** The rng of case `i` of a run: any case replays on its own. */
export function caseRng(seed: number, i: number): Rng {
  return mulberry32((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
}

/** One bid-endpoint case: a mutated body and the OpenRTB version header it comes with. */
export interface BidCase {
  bytes: Buffer;
  version: string;
  seedName: string;
  classes: readonly string[];
}

export function bidCase(seeds: SeedPool, seed: number, i: number): BidCase {
  const rng = caseRng(seed, i);
  const s = pickSeed(rng, seeds);
  const m = mutateJson(rng, s, chance(rng, 0.05) ? { edits: 0 } : {});
  const version = pick(rng, ['', '2.5', '2.6', '2.6', '2.5.1']);
  return { bytes: m.body, version, seedName: s.name, classes: m.classes };
}

const HOSTILE_HITS: readonly HitFacts[] = [
  { ip: '', ua: '' },
  { ip: '203.0.113.9', ua: 'Mozilla/5.0' },
  { ip: '2001:db8::'.repeat(10), ua: '\ud800'.repeat(1500) },
  { ip: '😀'.repeat(40), ua: 'é'.repeat(1025) },
];

/** Profile answers by user id and run seed: a replayed case gets the answer it got in the run. */
function profileBehaviour(seed: number): (userId: string) => ProfileBehaviour {
  return (userId) => {
    let h = seed | 0;
    for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
    const r = (h >>> 0) % 20;
    if (r < 10) return 'found';
    if (r < 14) return 'missing';
    if (r < 15) return 'optedOut';
    if (r < 17) return 'error';
    return 'never';
  };
}

const TOKEN = /[?&]t=([^&"'<\]\s]*)/;
const IMP_URL = /https?:\/\/[^"'<\]\s]*\/t\/imp\?t=[^"'<\]\s&]*/;
const CLICK_URL = /https?:\/\/[^"'<\]\s]*\/t\/click\?t=[^"'<\]\s&]*/;

/** The summary counter each kind of finding adds to (the whole-stack HTTP fuzzer's too). */
export const FINDING_COUNTER = {
  crash: 'crashes',
  hang: 'hangs',
  status_5xx: 'status_5xx',
  invalid_event: 'invalid_events',
} as const satisfies Record<FindingKind, keyof FuzzSummary>;

/** What one shard of a run found (a worker's part, or the whole run in one thread). */
export interface ShardResult {
  counts: Pick<FuzzSummary, 'crashes' | 'hangs' | 'status_5xx' | 'invalid_events'>;
  findings: Finding[];
  stats: BidFuzzReport['stats'];
}

/** A shard that has run no case yet. */
function emptyShardResult(): ShardResult {
  return {
    counts: { crashes: 0, hangs: 0, status_5xx: 0, invalid_events: 0 },
    findings: [],
    stats: {
      statuses: {},
      classes: {},
      bids: 0,
      events: 0,
      trackerChecks: 0,
      asyncAnswers: 0,
      largestBodyBytes: 0,
      longestTrackerUrl: 0,
      excusedLate: 0,
      slowestCaseMs: 0,
    },
  };
}

export interface ShardOptions {
  cases: number;
  seed: number;
  /** This shard runs the cases `i` with `i % shards === shard`. @default 0 of 1 */
  shard?: number;
  shards?: number;
  only?: number;
  keep?: number;
  log?: (line: string) => void;
  /** Called once, after the warm-up cases, before the rest; the run waits for it. */
  warm?: () => Promise<void>;
}

/** A case's synchronous run may not hold the thread longer than this (CPU time). */
export const BLOCK_LIMIT_MS = 50;

/** Wall time the process spent not running (descheduled by a loaded host), summed since start. */
class StallClock {
  private lost = 0;
  private wall = performance.now();
  private cpu = cpuMs();

  /** Call at each turn of the event loop. */
  mark(): void {
    const wall = performance.now();
    const cpu = cpuMs();
    // Other threads' CPU (GC helpers) can exceed the wall time: never a negative loss.
    this.lost += Math.max(0, wall - this.wall - (cpu - this.cpu));
    this.wall = wall;
    this.cpu = cpu;
  }

  /** Lost so far, including the current turn. */
  now(): number {
    return this.lost + Math.max(0, performance.now() - this.wall - (cpuMs() - this.cpu));
  }
}

let schedstat = true;

/**
 * CPU time of the calling thread, ms. Linux reports it per thread (`/proc/thread-self/schedstat`,
 * ns on the CPU; ~14 µs a read, so it is read per 2 ms slice, not per case); elsewhere the
 * process's CPU time stands in, which is right for one thread.
 */
function cpuMs(): number {
  if (schedstat)
    try {
      return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
    } catch {
      schedstat = false;
    }
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs one shard. A late answer counts as a hang only past what the host took away: the wall time
 * the process was not running while the case waited (a loaded 2-core host deschedules it for tens
 * of milliseconds), so a hang is the flow's doing, not the machine's.
 */
export async function runShard(o: ShardOptions): Promise<ShardResult> {
  const keep = o.keep ?? 20;
  const shard = o.shard ?? 0;
  const shards = o.shards ?? 1;
  const world: World = createWorld({ profiles: profileBehaviour(o.seed) });
  const keys = world.deps.keys;
  const ttl = tokenTtlOf(world.cfg);
  const region = world.cfg.REGION;
  const rates = world.cfg.BIDDER_FX_RATES;
  const defaultTmax = world.cfg.BIDDER_DEFAULT_TMAX_MS;
  const maxBody = world.cfg.BIDDER_MAX_BODY_BYTES;
  const seeds = bidSeeds(o.seed);
  const { counts, findings, stats } = emptyShardResult();
  const stalls = new StallClock();
  let current: { i: number; c: BidCase } | undefined;

  const find = (i: number, c: BidCase, kind: FindingKind, detail: string): void => {
    counts[FINDING_COUNTER[kind]]++;
    if (findings.length < keep)
      findings.push({
        case: i,
        kind,
        detail,
        seedName: c.seedName,
        classes: c.classes,
        body: JSON.stringify(c.bytes.toString('utf8').slice(0, 600)),
      });
  };

  // Anything escaping the flow (a throw from a continuation, a rejected promise) is a crash.
  const onUncaught = (err: unknown): void => {
    const at = current ?? {
      i: -1,
      c: { bytes: Buffer.alloc(0), version: '', seedName: '?', classes: [] },
    };
    find(
      at.i,
      at.c,
      'crash',
      `uncaught: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  const checkBids = (i: number, c: BidCase, body: string, events: StreamEvent[]): void => {
    let res: BidResponse;
    try {
      res = JSON.parse(body) as BidResponse;
    } catch {
      find(i, c, 'invalid_event', 'a 200 answer that is not JSON');
      return;
    }
    const bids = (res.seatbid ?? []).flatMap((x) => x.bid);
    const bidEvents = events.filter((e) => e.kind === 'bids');
    stats.bids += bids.length;
    if (bidEvents.length !== bids.length)
      find(
        i,
        c,
        'invalid_event',
        `${String(bids.length)} bids but ${String(bidEvents.length)} bid events`,
      );
    const rng = caseRng(o.seed ^ 0x7f4a7c15, i);
    const now = Date.now();
    for (const bid of bids) {
      const nurl = bid.nurl ?? '';
      stats.longestTrackerUrl = Math.max(stats.longestTrackerUrl, nurl.length);
      const urls: Record<TrackerKind, string> = {
        win: nurl,
        bill: bid.burl ?? '',
        loss: bid.lurl ?? '',
        imp: IMP_URL.exec(bid.adm ?? '')?.[0] ?? '',
        click: CLICK_URL.exec(bid.adm ?? '')?.[0] ?? '',
      };
      const token = TOKEN.exec(nurl)?.[1] ?? '';
      const decoded = decodeToken(keys, 'win', token, now, ttl);
      if (!decoded.ok) {
        find(
          i,
          c,
          'invalid_event',
          `the win token of bid ${bid.id} does not decode: ${decoded.refusal}`,
        );
        continue;
      }
      const ctx = decoded.ctx;
      const tokens = encodeTokens(keys, ctx);
      if (tokens.win !== token) find(i, c, 'invalid_event', 'token does not round-trip');
      for (const kind of ['bill', 'loss', 'imp', 'click'] as const) {
        const t = TOKEN.exec(urls[kind])?.[1];
        if (t !== undefined && t !== tokens[kind])
          find(i, c, 'invalid_event', `the ${kind} URL does not carry the ${kind} token`);
        // A markup token must never open a notice.
        if (
          t !== undefined &&
          (kind === 'imp' || kind === 'click') &&
          decodeToken(keys, 'bill', t, now, ttl).ok
        )
          find(i, c, 'invalid_event', `the ${kind} token opens the billing tracker`);
      }
      if (ctx.bidId !== bid.id || ctx.impId !== bid.impid)
        find(i, c, 'invalid_event', 'token names another bid');
      stats.trackerChecks++;
      const raw = chance(rng, 0.3)
        ? undefined
        : chance(rng, 0.5)
          ? String(bid.price)
          : pick(rng, PRICE_SPELLINGS);
      const hit = pick(rng, HOSTILE_HITS);
      const price = clearingMicros(raw, ctx);
      const built: StreamEvent[] = [
        { kind: 'impressions', value: impressionEvent(ctx, hit, region, now) },
        {
          kind: 'clicks',
          value: clickEvent(ctx, hit, { eventId: `click-${String(i)}`, region, now }),
        },
      ];
      if (typeof price === 'number') {
        if (!Number.isInteger(price) || price < 0 || price > ctx.priceMicros)
          find(
            i,
            c,
            'invalid_event',
            `clearing price ${String(price)} out of range for ${String(raw)}`,
          );
        const cp = campaignPrice(
          ctx,
          price,
          rates,
          world.deps.views.index.get(ctx.campaignId)?.c.currency,
        );
        const spend = spendOf(ctx, cp, { region, now, notice: 'burl' });
        const bad = TOPICS.spend.schema.safeParse(spend);
        if (!bad.success)
          find(i, c, 'invalid_event', `spend: ${bad.error.issues[0]?.message ?? ''}`);
        built.push({ kind: 'wins', value: winEvent(ctx, hit, cp, { region, now }) });
        built.push({
          kind: 'losses',
          value: lossEvent(ctx, { region, now, reason: 102, clearing: cp.cpmMicros }),
        });
      }
      for (const e of built) {
        const p = eventProblem(e);
        if (p !== undefined) find(i, c, 'invalid_event', `tracker ${p}`);
      }
    }
  };

  interface Pending {
    i: number;
    c: BidCase;
    call: BidCall;
    /** Lost wall time when the case started. */
    lost0: number;
    answers: number;
    counted: boolean;
  }
  const pending = new Map<number, Pending>();
  const limitOf = (call: BidCall): number => {
    const t = call.req?.tmax;
    return (t !== undefined && t > 0 ? t : defaultTmax) + 50;
  };
  /** How late past its limit, net of the time the host took away; > 0 is a hang. */
  const overdue = (p: Pending): number =>
    performance.now() - p.call.t0 - limitOf(p.call) - (stalls.now() - p.lost0);

  const runCase = (i: number): void => {
    const c = bidCase(seeds, o.seed, i);
    current = { i, c };
    stats.largestBodyBytes = Math.max(stats.largestBodyBytes, c.bytes.length);
    for (const k of c.classes) stats.classes[k] = (stats.classes[k] ?? 0) + 1;
    if (c.bytes.length > maxBody) {
      // The HTTP edge answers 413 before the flow sees it.
      stats.statuses['413'] = (stats.statuses['413'] ?? 0) + 1;
      return;
    }
    // As the HTTP edge decodes it: invalid UTF-8 becomes U+FFFD.
    const call: BidCall = {
      body: c.bytes.toString('utf8'),
      version: c.version,
      exchange: 'default',
      t0: performance.now(),
      aborted: false,
    };
    const p: Pending = { i, c, call, lost0: stalls.now(), answers: 0, counted: false };
    let sync = true;
    const answer = (a: BidAnswer, events: StreamEvent[]): void => {
      p.answers++;
      if (p.answers > 1) {
        find(i, c, 'crash', 'answered twice');
        return;
      }
      pending.delete(i);
      if (!sync) {
        stats.asyncAnswers++;
        const late = overdue(p);
        if (late > 0 && !p.counted)
          find(i, c, 'hang', `answered ${late.toFixed(1)} ms after tmax + 50 ms`);
        else if (performance.now() - call.t0 > limitOf(call)) stats.excusedLate++;
      }
      stats.statuses[String(a.status)] = (stats.statuses[String(a.status)] ?? 0) + 1;
      stats.events += events.length;
      if (a.status === 500) find(i, c, 'status_5xx', a.error);
      for (const e of events) {
        const problem = eventProblem(e);
        if (problem !== undefined) find(i, c, 'invalid_event', problem);
      }
      if (a.status === 200) checkBids(i, c, a.body, events);
      else if (events.length > 0)
        find(i, c, 'invalid_event', `${String(events.length)} events without a bid`);
    };
    try {
      world.run(call, answer);
    } catch (err) {
      find(i, c, 'crash', `flow threw: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    sync = false;
    const took = performance.now() - call.t0;
    if (took > BLOCK_LIMIT_MS / 5) {
      // Wall time says maybe; CPU time decides (a descheduled process is not a slow case). The
      // slice's earlier cases ran at most from the slice start to this case's start.
      const cpu = cpuMs() - slice.cpu - (call.t0 - slice.wall);
      stats.slowestCaseMs = Math.max(stats.slowestCaseMs, cpu);
      if (cpu > BLOCK_LIMIT_MS)
        find(i, c, 'hang', `held the thread ${cpu.toFixed(0)} ms of CPU in one request`);
      else if (p.answers > 0 && took > limitOf(call) && cpu <= limitOf(call)) stats.excusedLate++;
      else if (p.answers > 0 && took > limitOf(call))
        find(i, c, 'hang', `answered after ${took.toFixed(0)} ms (${cpu.toFixed(0)} ms CPU)`);
    }
    if (p.answers === 0) pending.set(i, p);
  };

  const sweep = (): void => {
    for (const p of pending.values())
      if (!p.counted && overdue(p) > 0) {
        p.counted = true;
        pending.delete(p.i);
        find(p.i, p.c, 'hang', `no answer within tmax + 50 ms (${limitOf(p.call).toFixed(0)} ms)`);
      }
  };
  const tick = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    stalls.mark();
  };

  const t0 = performance.now();
  const slice = { wall: performance.now(), cpu: cpuMs() };
  const newSlice = (): void => {
    slice.wall = performance.now();
    slice.cpu = cpuMs();
  };
  try {
    const first = o.only ?? 0;
    const last = o.only !== undefined ? o.only + 1 : o.cases;
    const warmAt = o.only !== undefined ? -1 : Math.min(20_000, Math.floor(o.cases / 10));
    let warmed = false;
    for (let i = first; i < last; i++) {
      if (!warmed && i >= warmAt && warmAt >= 0) {
        warmed = true;
        await tick();
        await o.warm?.();
        await tick();
        newSlice();
      }
      if (i % shards !== shard) continue;
      runCase(i);
      if (performance.now() - slice.wall > 2) {
        await tick();
        sweep();
        newSlice();
      }
      if (o.log && i > 0 && i % 100_000 === 0)
        o.log(
          `${String(i)} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s, ${JSON.stringify(counts)}`,
        );
    }
    if (!warmed) await o.warm?.();
    while (pending.size > 0) {
      await new Promise((r) => setTimeout(r, 1));
      stalls.mark();
      sweep();
    }
    current = undefined;
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
  return { counts, findings, stats };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Process RSS after a full GC of this thread. */
export function settledRss(): number {
  gc();
  return process.memoryUsage().rss;
}

function merge(into: ShardResult, r: ShardResult, keep: number): void {
  for (const k of Object.keys(into.counts) as (keyof ShardResult['counts'])[])
    into.counts[k] += r.counts[k];
  into.findings.push(...r.findings);
  into.findings.sort((a, b) => a.case - b.case);
  into.findings.length = Math.min(into.findings.length, keep);
  const a = into.stats;
  const b = r.stats;
  for (const [k, v] of Object.entries(b.statuses)) a.statuses[k] = (a.statuses[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.classes)) a.classes[k] = (a.classes[k] ?? 0) + v;
  a.bids += b.bids;
  a.events += b.events;
  a.trackerChecks += b.trackerChecks;
  a.asyncAnswers += b.asyncAnswers;
  a.excusedLate += b.excusedLate;
  a.largestBodyBytes = Math.max(a.largestBodyBytes, b.largestBodyBytes);
  a.longestTrackerUrl = Math.max(a.longestTrackerUrl, b.longestTrackerUrl);
  a.slowestCaseMs = Math.max(a.slowestCaseMs, b.slowestCaseMs);
}

/** Messages between the run and its worker threads. */
export type FromShard =
  { type: 'warm' } | { type: 'done'; result: ShardResult } | { type: 'log'; line: string };

/** Starts a shard in a worker thread (registering tsx first when running from source). */
function spawnShard(o: ShardOptions): Worker {
  const entry = new URL(
    import.meta.url.endsWith('.ts') ? './shard-worker.ts' : './shard-worker.js',
    import.meta.url,
  );
  const boot = import.meta.url.endsWith('.ts')
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`
    : `import(${JSON.stringify(entry.href)})`;
  const { warm: _warm, log: _log, ...data } = o;
  return new Worker(boot, { eval: true, workerData: data });
}

export interface BidFuzzOptions extends Omit<ShardOptions, 'shard' | 'shards' | 'warm'> {
  /** Worker threads sharing the cases (1: this thread). @default 1 */
  workers?: number;
}

/** Runs the fuzzer; resolves once every case is answered or counted as a hang. */
export async function fuzzBidder(o: BidFuzzOptions): Promise<BidFuzzReport> {
  const keep = o.keep ?? 20;
  const workers = o.only !== undefined ? 1 : Math.max(1, o.workers ?? 1);
  const t0 = performance.now();
  let rssStart = 0;
  const total = emptyShardResult();
  if (workers === 1) {
    const r = await runShard({
      ...o,
      warm: () => {
        rssStart = settledRss();
        return Promise.resolve();
      },
    });
    merge(total, r, keep);
  } else {
    const threads = Array.from({ length: workers }, (_, shard) =>
      spawnShard({ ...o, shard, shards: workers }),
    );
    let warm = 0;
    const results = await Promise.all(
      threads.map(
        (w) =>
          new Promise<ShardResult>((resolve, reject) => {
            w.on('message', (m: FromShard) => {
              if (m.type === 'log') o.log?.(m.line);
              else if (m.type === 'warm' && ++warm === workers) {
                // Every shard is warm and has collected its garbage: the baseline.
                rssStart = settledRss();
                for (const t of threads) t.postMessage('go');
              } else if (m.type === 'done') resolve(m.result);
            });
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`fuzz worker exited with ${String(code)}`)));
          }),
      ),
    );
    for (const r of results) merge(total, r, keep);
    const rss = settledRss();
    await Promise.all(threads.map((t) => t.terminate()));
    return report(o, total, rssStart, rss, t0);
  }
  return report(o, total, rssStart, settledRss(), t0);
}

function report(
  o: BidFuzzOptions,
  r: ShardResult,
  rssStart: number,
  rssEnd: number,
  t0: number,
): BidFuzzReport {
  const growth = rssStart === 0 ? 0 : Math.max(0, rssEnd - rssStart) / (1024 * 1024);
  return {
    summary: {
      cases: o.only !== undefined ? 1 : o.cases,
      ...r.counts,
      rss_growth_mb: Math.round(growth * 10) / 10,
      ms: Math.round(performance.now() - t0),
      seed: o.seed,
    },
    findings: r.findings,
    stats: {
      ...r.stats,
      rssMb: { afterWarmUp: Math.round(rssStart / 2 ** 20), end: Math.round(rssEnd / 2 ** 20) },
    },
  };
}

/** Whether a run met the goal: no crash, hang, 5xx or invalid event, RSS growth under 50 MB. */
export function passed(s: FuzzSummary): boolean {
  return (
    s.crashes === 0 &&
    s.hangs === 0 &&
    s.status_5xx === 0 &&
    s.invalid_events === 0 &&
    s.rss_growth_mb < 50
  );
}
