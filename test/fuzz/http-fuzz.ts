/**
 * The HTTP fuzzer: raw-text mutations of bid requests, tracker hits and inventory API calls, sent
 * over real HTTP/1.1 to a running bidder (two workers) and inventory service. It counts 5xx
 * answers, hangs (no answer within the request's limit: tmax + 50 ms for bids), crashes (a process
 * exits, a worker is replaced, a connection is refused, `/healthz` is not 200), and events lost or
 * invalid: the bidder logs an event that failed its schema, a consumer dead-letters a record, or
 * fewer bid, win, spend, impression and click records reach the namespace's topics than the
 * answers promised.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKafka, endOffsets, silentLogger } from '@streambid/adapters';
import { catalogue } from '@streambid/contracts';
import { RawHttpPool, type RawResponse } from '@streambid/loadgen';
import {
  bidSeeds,
  caseRng,
  chance,
  FINDING_COUNTER,
  type FindingKind,
  type FuzzSummary,
  type Seed,
} from '@streambid/bidder/fuzz';
import {
  collectGarbage,
  deleteTopics,
  rssOf,
  RunQueueDelay,
  startStack,
  stopService,
  stopStack,
  type Service,
  type Stack,
} from './stack.js';
import {
  bidHttpCase,
  campaignSeeds,
  inventoryHttpCase,
  trackerHttpCase,
  TrackerPool,
  type HttpCase,
  type Target,
} from './targets.js';

/** The bid-flow fuzzer's kinds of finding, counted the same way. */
export type HttpFindingKind = FindingKind;

export interface HttpFinding {
  case: number;
  kind: HttpFindingKind;
  detail: string;
  /** `POST /openrtb2/bid`, the head of the path, and of the body as a JSON string. */
  request: string;
}

export interface HttpFuzzOptions {
  cases: number;
  seed: number;
  /** Kafka of the region the services run in. */
  kafka: string;
  /** Every Kafka cluster (the namespace's topics and their copies are deleted on each). */
  clusters: readonly string[];
  redis: string;
  /** Topic namespace of the services it starts. @default fresh `fuzz-<hex>-` */
  namespace?: string;
  /** Already running services (then nothing is started or stopped and no topics are read). */
  bidderUrl?: string;
  inventoryUrl?: string;
  inventoryToken?: string;
  /** Which services' requests to send. @default all three */
  targets?: readonly Target[];
  /** Requests in flight at once. @default 8 */
  concurrency?: number;
  keep?: number;
  log?: (line: string) => void;
}

export interface HttpFuzzReport {
  summary: FuzzSummary;
  findings: HttpFinding[];
  stats: Record<string, unknown>;
}

/** Shares of the cases per target. */
const MIX = { bid: 0.55, tracker: 0.25 };

/** The request of a case, short enough for a report. */
function requestLine(c: HttpCase): string {
  const body = c.body ? JSON.stringify(c.body.toString('utf8').slice(0, 300)) : '';
  return `${c.method} ${c.path.slice(0, 300)}${body === '' ? '' : ` body ${body}`}`;
}

function metricSum(text: string, name: string, labels = ''): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' '))
      continue;
    if (labels !== '' && !line.includes(labels)) continue;
    found = true;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return found ? sum : undefined;
}

async function text(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return undefined;
  }
}

/** Runs the HTTP fuzzer; starts and stops the services unless their URLs are given. */
export async function fuzzHttp(o: HttpFuzzOptions): Promise<HttpFuzzReport> {
  const log = o.log ?? ((): void => undefined);
  const external = o.bidderUrl !== undefined;
  if (external !== (o.inventoryUrl !== undefined) || (external && o.inventoryToken === undefined))
    throw new Error('give the bidder URL, the inventory URL and its token together, or none');
  const t0 = performance.now();
  const stack: Stack | undefined = external
    ? undefined
    : await startStack({
        kafka: o.kafka,
        clusters: o.clusters,
        redis: o.redis,
        ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      });
  try {
    return await run(o, stack, t0);
  } finally {
    if (stack) {
      await stopStack(stack);
      log(await deleteTopics(o.clusters, stack.ns));
    }
  }
}

async function run(
  o: HttpFuzzOptions,
  stack: Stack | undefined,
  t0: number,
): Promise<HttpFuzzReport> {
  const keep = o.keep ?? 20;
  const log = o.log ?? ((): void => undefined);
  const bidderUrl = stack?.bidder.url ?? (o.bidderUrl as string);
  const inventoryUrl = stack?.inventory.url ?? (o.inventoryUrl as string);
  const token = stack?.token ?? (o.inventoryToken as string);
  if (stack)
    log(
      `bidder ${stack.bidder.url}, inventory ${stack.inventory.url}, namespace ${stack.ns}; logs in ${stack.logDir}`,
    );

  const counts = { crashes: 0, hangs: 0, status_5xx: 0, invalid_events: 0 };
  const findings: HttpFinding[] = [];
  const find = (i: number, kind: HttpFindingKind, detail: string, c?: HttpCase): void => {
    counts[FINDING_COUNTER[kind]]++;
    if (findings.length >= keep) return;
    findings.push({ case: i, kind, detail, request: c ? requestLine(c) : '' });
    // The whole request, to replay it by hand.
    if (c && stack)
      appendFileSync(
        join(stack.logDir, 'findings.jsonl'),
        `${JSON.stringify({ case: i, kind, detail, method: c.method, path: c.path, headers: c.headers, body: c.body?.toString('base64') })}\n`,
      );
  };
  /** One finding standing for `n` of a kind (the count stays exact). */
  const findMany = (i: number, kind: HttpFindingKind, n: number, detail: string): void => {
    find(i, kind, n > 1 ? `${String(n)}× ${detail}` : detail);
    counts[FINDING_COUNTER[kind]] += n - 1;
  };
  const stats = {
    statuses: {} as Record<string, Record<string, number>>,
    classes: {} as Record<string, number>,
    excusedLate: 0,
    /**
     * Billing notices answered 503 with `retriable: true`: the money path's documented answer
     * while the same bid's spend is being written (a concurrent duplicate) or Kafka is slow
     * (docs/money.md, Backpressure). The exchange retries; not a finding.
     */
    retriableNotices: 0,
    dropped: 0,
    expected: { bids: 0, wins: 0, spend: 0, impressions: 0, clicks: 0 },
    found: {} as Record<string, number>,
    deadLetters: 0,
    deadLetterReasons: [] as string[],
    loggedInvalid: 0,
    workerRestarts: 0,
    errors: {} as Record<string, number>,
    rssMb: {} as Record<string, { start: number; end: number }>,
    /** RSS (MB) every 5,000 cases: a leak grows steadily, a settling heap levels off. */
    rssTrail: {} as Record<string, number[]>,
    /** Metric series each service exports: client input must not add any. */
    metricSeries: {} as Record<string, { start: number; end: number }>,
    exits: {} as Record<string, string>,
    countError: undefined as string | undefined,
  };

  const pools = {
    bid: new RawHttpPool(bidderUrl, { connections: 8, timeoutMs: 10_000 }),
    tracker: new RawHttpPool(bidderUrl, { connections: 4, timeoutMs: 10_000 }),
    inventory: new RawHttpPool(inventoryUrl, { connections: 4, timeoutMs: 15_000 }),
  };
  const services: Service[] = stack ? [stack.bidder, stack.inventory] : [];
  const delay = new RunQueueDelay(() => [
    process.pid,
    ...services.flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid])),
  ]);
  const rss = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    if (stack) {
      for (const s of services) {
        const v = s.child.pid === undefined ? undefined : rssOf(s.child.pid);
        if (v !== undefined) out[s.name] = v;
      }
      return out;
    }
    for (const [name, url] of [
      ['bidder', bidderUrl],
      ['inventory', inventoryUrl],
    ] as const) {
      const m = await text(`${url}/metrics`);
      const v = m && metricSum(m.body, 'process_resident_memory_bytes');
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
  /**
   * RSS after every thread of each service ran a full GC (services started here; running ones
   * are read as they are). Under load RSS follows the heap's saw-tooth (±60 MB over tens of
   * thousands of requests, measured), which says nothing about what is retained.
   */
  const settledRss = async (): Promise<Record<string, number>> => {
    if (!stack) return rss();
    for (let k = 0; k < 2; k++) {
      for (const s of services) collectGarbage(s);
      await new Promise((r) => setTimeout(r, 1000));
    }
    return rss();
  };
  const series = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const [name, url] of [
      ['bidder', bidderUrl],
      ['inventory', inventoryUrl],
    ] as const) {
      const m = await text(`${url}/metrics`);
      if (m) out[name] = m.body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    }
    return out;
  };
  const restarts = async (): Promise<number> => {
    const m = await text(`${bidderUrl}/metrics`);
    return (m && metricSum(m.body, 'bidder_worker_restarts_total')) ?? 0;
  };
  const health = async (i: number): Promise<void> => {
    for (const [name, url] of [
      ['bidder', bidderUrl],
      ['inventory', inventoryUrl],
    ] as const) {
      const r = await text(`${url}/healthz`);
      if (r?.status !== 200)
        find(
          i,
          'crash',
          `${name} /healthz answered ${r ? String(r.status) : 'nothing'} after case ${String(i)}`,
        );
    }
  };

  // Campaigns the fuzzed traffic matches, written through the API the fuzzer also attacks.
  const ids: string[] = [];
  const invSeeds: Seed[] = campaignSeeds();
  const created = await createCampaigns(inventoryUrl, token);
  ids.push(...created);
  const trackers = new TrackerPool();
  const seeds = bidSeeds(o.seed);
  await waitForBids(
    bidderUrl,
    seeds.common.map((s) => s.text),
  );
  const restarts0 = await restarts();
  // Events that failed their schema in the producer; absent from older bidders (logs tell then).
  const invalidMetric = async (): Promise<number> => {
    const m = await text(`${bidderUrl}/metrics`);
    return (m && metricSum(m.body, 'bidder_events_invalid_total')) ?? 0;
  };
  const invalid0 = await invalidMetric();

  let inflight = 0;
  let wake: (() => void) | undefined;
  const done = (): void => {
    inflight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const concurrency = o.concurrency ?? 8;
  let stopped: string | undefined;
  for (const s of services)
    s.child.once('exit', (code, signal) => {
      stopped ??= `${s.name} exited (${signal ?? String(code)}) during the run`;
    });

  const send = (i: number, c: HttpCase): void => {
    inflight++;
    for (const k of c.classes) stats.classes[k] = (stats.classes[k] ?? 0) + 1;
    const start = performance.now();
    const pool = pools[c.target];
    pool.request(c.method, c.path, c.headers, c.body, c.readBody, (err, res) => {
      try {
        answered(i, c, start, err, res);
      } finally {
        done();
      }
    });
  };

  const answered = (
    i: number,
    c: HttpCase,
    start: number,
    err: Error | undefined,
    res: RawResponse | undefined,
  ): void => {
    const took = performance.now() - start;
    if (err || !res) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ECONNREFUSED') find(i, 'crash', `${c.target}: connection refused`, c);
      else {
        stats.dropped++;
        find(
          i,
          'hang',
          `${c.target}: no answer (${err?.message ?? 'none'}) after ${took.toFixed(0)} ms`,
          c,
        );
      }
      return;
    }
    const byTarget = (stats.statuses[c.target] ??= {});
    byTarget[String(res.status)] = (byTarget[String(res.status)] ?? 0) + 1;
    if (took > c.limitMs) {
      const excuse = delay.since(start);
      if (took - excuse > c.limitMs)
        find(
          i,
          'hang',
          `${c.target}: answered ${res.status} after ${took.toFixed(0)} ms (limit ${c.limitMs.toFixed(0)}, host delay ${excuse.toFixed(0)} ms)`,
          c,
        );
      else stats.excusedLate++;
    }
    const retriableNotice =
      res.status === 503 &&
      c.target === 'tracker' &&
      (c.tracker === 'win' || c.tracker === 'bill') &&
      res.body.includes('"retriable":true');
    if (retriableNotice) stats.retriableNotices++;
    else if (res.status >= 500)
      find(i, 'status_5xx', `${c.target}: ${String(res.status)} ${res.body.slice(0, 200)}`, c);
    if (c.target === 'bid' && res.status === 200) {
      const n = trackers.harvest(res.body);
      if (n < 0) find(i, 'invalid_event', 'a 200 bid answer that is not JSON', c);
      else stats.expected.bids += n;
    } else if (c.target === 'tracker') {
      if (
        (c.tracker === 'win' || c.tracker === 'bill') &&
        res.status === 200 &&
        res.body.includes('"billed":true')
      ) {
        stats.expected.wins++;
        stats.expected.spend++;
      } else if (c.tracker === 'imp' && res.status === 200) stats.expected.impressions++;
      else if (c.tracker === 'click' && res.status === 302) stats.expected.clicks++;
    } else if (c.target === 'inventory' && res.status === 201) {
      const id = /"id":"([^"]+)"/.exec(res.body)?.[1];
      if (id !== undefined && ids.length < 500) ids.push(id);
    }
  };

  const defaultTmax = 100;
  const on = new Set<Target>(o.targets ?? ['bid', 'tracker', 'inventory']);
  const warmAt = Math.min(5000, Math.floor(o.cases / 10));
  let rssStart: Record<string, number> = {};
  let seriesStart: Record<string, number> = {};
  let cases = 0;
  for (let i = 0; i < o.cases && stopped === undefined; i++) {
    while (inflight >= concurrency) await new Promise<void>((r) => (wake = r));
    if (i === warmAt) {
      while (inflight > 0) await new Promise<void>((r) => (wake = r));
      rssStart = await settledRss();
      seriesStart = await series();
    }
    if (i > 0 && i % 5000 === 0) {
      const now = await rss();
      for (const [k, v] of Object.entries(now))
        (stats.rssTrail[k] ??= []).push(Math.round(v / 2 ** 20));
      const m = await text(`${bidderUrl}/metrics`);
      for (const name of [
        'nodejs_heap_size_used_bytes',
        'nodejs_heap_size_total_bytes',
        'nodejs_external_memory_bytes',
      ]) {
        const v = m && metricSum(m.body, name);
        if (v !== undefined)
          (stats.rssTrail[`bidder:${name}`] ??= []).push(Math.round(v / 2 ** 20));
      }
    }
    if (i > 0 && i % 2000 === 0) {
      await health(i);
      log(
        `${String(i)} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s, ${JSON.stringify(counts)}`,
      );
    }
    const rng = caseRng(o.seed ^ 0x2545f491, i);
    const r = rng();
    let c: HttpCase | undefined;
    if (r < MIX.bid) {
      if (on.has('bid')) c = bidHttpCase(rng, seeds, o.seed, i, defaultTmax);
    } else if (r < MIX.bid + MIX.tracker) {
      if (on.has('tracker')) c = trackerHttpCase(rng, trackers);
    } else if (on.has('inventory')) c = inventoryHttpCase(rng, invSeeds, ids, token);
    // No tracker URL harvested yet, or a target left out: another target's request.
    c ??=
      on.has('inventory') && (chance(rng, 0.5) || !on.has('bid'))
        ? inventoryHttpCase(rng, invSeeds, ids, token)
        : bidHttpCase(rng, seeds, o.seed, i, defaultTmax);
    send(i, c);
    cases++;
  }
  while (inflight > 0) await new Promise<void>((r) => (wake = r));
  if (stopped !== undefined) find(cases, 'crash', stopped);
  await health(cases);
  const rssEnd = await settledRss();
  const seriesEnd = await series();
  for (const [k, v] of Object.entries(seriesEnd)) {
    stats.metricSeries[k] = { start: seriesStart[k] ?? v, end: v };
    if (v - (seriesStart[k] ?? v) > 200)
      log(
        `WARNING: ${k} exports ${String(v - (seriesStart[k] ?? v))} more metric series than after the warm-up`,
      );
  }
  for (const [k, v] of Object.entries(rssEnd))
    stats.rssMb[k] = {
      start: Math.round((rssStart[k] ?? v) / 2 ** 20),
      end: Math.round(v / 2 ** 20),
    };
  const restarted = (await restarts()) - restarts0;
  const invalidCounted = (await invalidMetric()) - invalid0;
  for (const p of Object.values(pools)) p.close();
  delay.close();

  if (stack) {
    // Stopping the bidder hands every queued event to Kafka: then the topics hold them all.
    for (const s of [stack.bidder, stack.inventory]) {
      const how = await stopService(s);
      stats.exits[s.name] = how;
      if (how !== '0' && !stopped?.startsWith(s.name))
        find(cases, 'crash', `${s.name} ended with ${how} on SIGTERM`);
    }
    stats.loggedInvalid = Math.max(
      invalidCounted,
      stack.bidder.log.invalidEvents + stack.inventory.log.invalidEvents,
    );
    stats.workerRestarts = Math.max(restarted, stack.bidder.log.workerRestarts);
    for (const s of services)
      for (const [m, n] of s.log.errors) stats.errors[`${s.name}: ${m}`] = n;
    const counted = await countTopics(o, stack.ns, stats).then(
      () => true,
      (err: unknown) => {
        // Without the counts the lost-event check cannot run; say so rather than pass it.
        stats.countError = String(err);
        log(`events not counted: ${stats.countError}`);
        return false;
      },
    );
    const lost = counted
      ? Object.entries(stats.expected).reduce(
          (a, [k, v]) => a + Math.max(0, v - (stats.found[k] ?? 0)),
          0,
        )
      : 0;
    const invalid = Math.max(stats.loggedInvalid, lost);
    if (invalid > 0)
      findMany(
        cases,
        'invalid_event',
        invalid,
        `events lost or invalid: expected ${JSON.stringify(stats.expected)}, found ${JSON.stringify(stats.found)}, ${String(stats.loggedInvalid)} logged invalid`,
      );
    for (const r of stats.deadLetterReasons) find(cases, 'invalid_event', `dead letter: ${r}`);
    if (stats.deadLetters > stats.deadLetterReasons.length)
      findMany(
        cases,
        'invalid_event',
        stats.deadLetters - stats.deadLetterReasons.length,
        'more dead letters',
      );
    if (stats.workerRestarts > 0)
      findMany(cases, 'crash', stats.workerRestarts, 'a bidder worker was replaced');
  } else {
    stats.workerRestarts = restarted;
    if (restarted > 0) findMany(cases, 'crash', restarted, 'a bidder worker was replaced');
    // Running services: their logs are not ours to read; the bidder's counter, if it has one.
    if (invalidCounted > 0)
      findMany(cases, 'invalid_event', invalidCounted, 'bidder_events_invalid_total went up');
  }

  const growth = Math.max(
    0,
    ...Object.entries(rssEnd).map(([k, v]) => (v - (rssStart[k] ?? v)) / 2 ** 20),
  );
  return {
    summary: {
      cases,
      ...counts,
      rss_growth_mb: Math.round(growth * 10) / 10,
      ms: Math.round(performance.now() - t0),
      seed: o.seed,
    },
    findings,
    stats,
  };
}

/** Records per event topic of the namespace, and the dead letters with their first reasons. */
async function countTopics(
  o: HttpFuzzOptions,
  ns: string,
  stats: { found: Record<string, number>; deadLetters: number; deadLetterReasons: string[] },
): Promise<void> {
  const kafka = createKafka({
    clientId: `fuzz-count-${randomUUID()}`,
    brokers: [o.kafka],
    logger: silentLogger(),
  });
  const topics = catalogue(ns);
  const total = async (name: string): Promise<number> => {
    let last: unknown;
    for (let attempt = 0; attempt < 5; attempt++)
      try {
        let n = 0;
        for (const v of (await endOffsets(kafka, name)).values()) n += Number(v);
        return n;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 500));
      }
    throw new Error(`cannot count the records of ${name}: ${String(last)}`);
  };
  for (const k of ['bids', 'wins', 'spend', 'impressions', 'clicks'] as const)
    stats.found[k] = await total(topics[k].name);
  stats.deadLetters = await total(topics.deadLetter.name);
  if (stats.deadLetters === 0) return;
  const consumer = kafka.consumer({ groupId: `fuzz-dl-${randomUUID()}` });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: topics.deadLetter.name, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 15_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const v = message.value?.toString('utf8') ?? '';
          const m = /"reason":"((?:[^"\\]|\\.){0,300})/.exec(v);
          const src = /"sourceTopic":"([^"]*)"/.exec(v)?.[1] ?? '?';
          stats.deadLetterReasons.push(`${src}: ${m?.[1] ?? v.slice(0, 200)}`);
          if (stats.deadLetterReasons.length >= Math.min(20, stats.deadLetters)) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Broad campaigns, created through the inventory API: any banner, video and native, a deal. */
async function createCampaigns(url: string, token: string): Promise<string[]> {
  const now = Date.now();
  const creative = (id: string, mediaType: string, markup: string, size?: [number, number]) => ({
    id,
    mediaType,
    ...(size ? { w: size[0], h: size[1] } : {}),
    markup,
    landingUrl: 'https://acme.example/landing',
    adomain: ['acme.example'],
  });
  const vast = '<VAST version="4.0"><Ad><InLine><AdTitle>x</AdTitle></InLine></Ad></VAST>';
  const base = {
    advertiser: 'fuzz',
    bidCpmMicros: 50_000_000,
    budget: { totalMicros: 1_000_000_000_000 },
    flight: { start: now - 3_600_000, end: now + 86_400_000 },
  };
  const bodies = [
    {
      ...base,
      name: 'any banner',
      creatives: [creative('cr-b', 'banner', '<a href="${CLICK_URL}">ad</a>')],
    },
    { ...base, name: 'video', creatives: [creative('cr-v', 'video', vast)] },
    { ...base, name: 'audio', creatives: [creative('cr-a', 'audio', vast)] },
    {
      ...base,
      name: 'native',
      creatives: [creative('cr-n', 'native', '{"native":{"link":{"url":"${CLICK_URL}"}}}')],
    },
    {
      ...base,
      name: 'deal',
      deals: [{ id: 'deal-fz-1' }, { id: 'deal-fz-2' }],
      creatives: [creative('cr-d', 'banner', '<b>deal</b>')],
    },
    {
      ...base,
      name: 'capped',
      frequencyCap: { perDay: 2 },
      bidCpmMicros: 60_000_000,
      creatives: [creative('cr-c', 'banner', '<b>capped</b>', [300, 250])],
    },
  ];
  const ids: string[] = [];
  for (const b of bodies) {
    const r = await fetch(`${url}/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(b),
    });
    const body = (await r.json()) as { id?: string; message?: string };
    if (r.status !== 201 || body.id === undefined)
      throw new Error(`creating the fuzz campaigns: ${String(r.status)} ${JSON.stringify(body)}`);
    ids.push(body.id);
  }
  return ids;
}

/** Waits until the bidder bids (its views hold the campaigns and their allowances). */
async function waitForBids(url: string, bodies: readonly string[]): Promise<void> {
  const until = performance.now() + 60_000;
  for (;;) {
    for (const body of bodies.slice(0, 20)) {
      const r = await fetch(`${url}/openrtb2/bid`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }).catch(() => undefined);
      if (r?.status === 200) return;
      await r?.body?.cancel();
    }
    if (performance.now() > until)
      throw new Error('the bidder never bid on the seed requests within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}
