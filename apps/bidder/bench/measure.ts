/**
 * The phases of `bench:bidder`, each run on both servers with their trials interleaved (only one
 * server has load at a time), so bidder and hello world see the same machine:
 * warm-up → rate steps judged by the median trial → CPU per request at a fixed moderate rate (on
 * processes the steps have warmed) → closed-loop peak with wrk.
 */
import type { BenchEnv } from './bench-env.js';
import type { Server } from './servers.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ensureWrk,
  findMaxRates,
  interleavedTrials,
  measureCpuPerRequest,
  median,
  processCpuUs,
  openModelTrial,
  runOpenModel,
  runWrk,
  type CpuWindow,
  type OpenModelResult,
  type OpenModelTrial,
  type RateSearch,
  type StepRecord,
  type WrkResult,
} from '@streambid/loadgen';

/** A request to the bid endpoint; hello world ignores what it is sent. */
const PATH = '/openrtb2/bid';
const HEADERS = { 'content-type': 'application/json', 'x-openrtb-version': '2.6' };
/** Keep-alive connections of the open-model generator per server. */
const CONNECTIONS = 64;

/** What every phase needs. */
export interface Bench {
  servers: readonly Server[];
  env: BenchEnv;
  bodies: readonly string[];
  log: (line: string) => void;
}

const round = (v: number, places = 2): number => Math.round(v * 10 ** places) / 10 ** places;
const names = (b: Bench): string[] => b.servers.map((s) => s.name);
const byName = (b: Bench, name: string): Server => {
  const s = b.servers.find((x) => x.name === name);
  if (!s) throw new Error(`no server ${name}`);
  return s;
};

function openModel(b: Bench, s: Server, rate: number, durationS: number): Promise<OpenModelResult> {
  return runOpenModel({
    url: s.url,
    rate,
    durationS,
    connections: CONNECTIONS,
    timeline: true,
    makeRequest: (i) => ({
      method: 'POST',
      path: PATH,
      body: b.bodies[i % b.bodies.length] ?? '',
      headers: HEADERS,
    }),
  });
}

/** JIT, connections and caches settle before anything is measured. */
export async function warmUp(b: Bench): Promise<void> {
  const { BENCH_WARMUP_STEPS: n, BENCH_WARMUP_RATE: rate, BENCH_STEP_S: s } = b.env;
  if (n === 0) return;
  b.log(`warm-up: ${String(n)} × ${String(s)} s at ${String(rate)}/s per server`);
  await interleavedTrials(names(b), n, (name) => openModel(b, byName(b, name), rate, s));
}

/**
 * Cores each server's process tree keeps busy with no load at all (timers, consumers, metrics),
 * over one window of `BENCH_CPU_S`. That share is inside the per-request figure; shown apart, it
 * tells the two costs apart.
 */
export async function idleCores(b: Bench): Promise<Record<string, number>> {
  const s = b.env.BENCH_CPU_S;
  const start = b.servers.map((x) => processCpuUs(x.pid));
  const t0 = performance.now();
  await sleep(s * 1000);
  const wallUs = (performance.now() - t0) * 1000;
  const out: Record<string, number> = {};
  b.servers.forEach((x, i) => {
    out[x.name] = round((processCpuUs(x.pid) - (start[i] ?? 0)) / wallUs, 3);
  });
  b.log(`idle for ${String(s)} s: ${JSON.stringify(out)} cores`);
  return out;
}

/** CPU per request of each server's process tree, median over the trials. */
export interface CpuFigures {
  /** µs per request, median trial. */
  usPerRequest: Record<string, number>;
  /** Every trial's µs per request and cores kept busy, in order. */
  trials: Record<string, { us: number; cores: number; requests: number }[]>;
  /** The generator's own CPU per request (this process), median over all trials. */
  generatorUsPerRequest: number;
}

/**
 * At `BENCH_CPU_RATE` for `BENCH_CPU_S`: the CPU (all threads and child processes, from
 * `/proc`) each server spent per answered request, its idle work included.
 */
export async function cpuPerRequest(b: Bench): Promise<CpuFigures> {
  const { BENCH_CPU_RATE: rate, BENCH_CPU_S: s, BENCH_TRIALS: n } = b.env;
  b.log(`CPU per request: ${String(n)} × ${String(s)} s at ${String(rate)}/s per server`);
  const generator: number[] = [];
  const windows = await interleavedTrials(names(b), n, async (name): Promise<CpuWindow> => {
    const server = byName(b, name);
    const own = process.cpuUsage();
    const w = await measureCpuPerRequest(server.pid, async () => {
      const r = await openModel(b, server, rate, s);
      if (r.errors + r.skipped > 0) b.log(`${name}: ${String(r.errors + r.skipped)} errors`);
      return r.completed;
    });
    const mine = process.cpuUsage(own);
    generator.push((mine.user + mine.system) / Math.max(1, w.requests));
    b.log(
      `${name}: ${round(w.usPerRequest, 1).toString()} µs CPU per request (${round(w.cores).toString()} cores)`,
    );
    return w;
  });
  const usPerRequest: Record<string, number> = {};
  const trials: CpuFigures['trials'] = {};
  for (const [name, ws] of Object.entries(windows)) {
    usPerRequest[name] = round(median(ws.map((w) => w.usPerRequest)), 1);
    trials[name] = ws.map((w) => ({
      us: round(w.usPerRequest, 1),
      cores: round(w.cores),
      requests: w.requests,
    }));
  }
  return { usPerRequest, trials, generatorUsPerRequest: round(median(generator), 1) };
}

/** p99 goal of a rate step (ms). */
export const P99_GOAL_MS = 5;

/** One step as the JSON summary shows it: the median trial's figures and every trial's p99. */
export function stepSummary(s: StepRecord<OpenModelTrial>): object {
  const m = s.median;
  return {
    rate: s.rate,
    ok: s.ok,
    passed: s.passed,
    rps: m.rps,
    p50: m.p50Ms,
    p99: m.p99Ms,
    p999: m.p999Ms,
    sendLagP99: m.sendLagP99Ms,
    status: m.status,
    trial_p99: s.trials.map((t) => t.p99Ms),
    trial_errors: s.trials.map((t) => t.errors),
    // One slow second (a GC, a stall) tells a different story from a slow trial.
    p99ByS: s.trials.map((t) => t.p99ByS),
  };
}

/** The rate search of both servers: the highest rate whose median trial meets the goal. */
export async function searchRates(b: Bench): Promise<Record<string, RateSearch<OpenModelTrial>>> {
  const { BENCH_RATES: rates, BENCH_STEP_S: s, BENCH_TRIALS: n } = b.env;
  return findMaxRates({
    rates,
    trials: n,
    goal: { p99Ms: P99_GOAL_MS },
    targets: b.servers.map((server) => ({
      name: server.name,
      run: async (rate) => openModelTrial(await openModel(b, server, rate, s)),
    })),
    onTrial: (name, rate, trial, t) =>
      b.log(
        `${name} ${String(rate)}/s #${String(trial + 1)} → ${String(t.rps)}/s p50 ${String(t.p50Ms)} p99 ${String(t.p99Ms)} p99.9 ${String(t.p999Ms)} ms, errors ${String(t.errors)}, sender lag p99 ${String(t.sendLagP99Ms)} ms; p99 by second ${t.p99ByS.join(' ')}`,
      ),
    onStep: (name, st) =>
      b.log(
        `${name} ${String(st.rate)}/s: median p99 ${String(st.median.p99Ms)} ms, ${String(st.passed)} of ${String(st.trials.length)} trials within ${String(P99_GOAL_MS)} ms → ${st.ok ? 'pass' : 'fail'}`,
      ),
  });
}

/** wrk's closed-loop peak of each server, median over the trials. */
export interface WrkFigures {
  rps: Record<string, number | null>;
  trials: Record<string, { rps: number; non2xx: number; socketErrors: number }[]>;
}

/** `wrk -t1 -c<BENCH_WRK_CONNECTIONS> -d<BENCH_WRK_S>s` POSTing the bench's bodies in turn. */
export async function wrkPeaks(b: Bench): Promise<WrkFigures> {
  const { BENCH_WRK_S: s, BENCH_WRK_CONNECTIONS: c, BENCH_TRIALS: n } = b.env;
  const none = Object.fromEntries(names(b).map((name) => [name, null]));
  if (s === 0) return { rps: none, trials: {} };
  const wrkPath = ensureWrk(b.log);
  b.log(`wrk: ${String(n)} × ${String(s)} s, 1 thread, ${String(c)} connections per server`);
  const runs = await interleavedTrials(names(b), n, async (name): Promise<WrkResult> => {
    const r = await runWrk({
      url: byName(b, name).url,
      path: PATH,
      bodies: b.bodies,
      headers: HEADERS,
      threads: 1,
      connections: c,
      durationS: s,
      wrkPath,
    });
    b.log(`${name}: wrk ${String(r.rps)} req/s, non-2xx ${String(r.non2xx)}`);
    return r;
  });
  const rps: Record<string, number | null> = {};
  const trials: WrkFigures['trials'] = {};
  for (const [name, rs] of Object.entries(runs)) {
    rps[name] = Math.round(median(rs.map((r) => r.rps)));
    trials[name] = rs.map((r) => ({
      rps: Math.round(r.rps),
      non2xx: r.non2xx,
      socketErrors: Object.values(r.socketErrors).reduce((a, x) => a + x, 0),
    }));
  }
  return { rps, trials };
}
