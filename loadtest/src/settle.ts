/**
 * The warm-up before a measured phase, and one that ends when the stack has settled instead of
 * after a fixed time: traffic in short rounds until the JVMs' JIT compiler threads are quiet and
 * every region's p99 has stopped moving. The rule is pure (`settleVerdict`); `jitCompilerTicks`
 * reads the compiler threads from `/proc`.
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clockTicksPerSecond, readProcStat } from '@streambid/loadgen';
import type { Scenario } from './args.js';
import { readPidFiles } from './cpu-sampler.js';
import { drive } from './phase.js';
import { warmupScenarios } from './scenarios.js';
import type { RegionRun } from './run.js';

/** What one warm-up round measured. */
export interface WarmupRound {
  /** Seconds of traffic in the round. */
  s: number;
  /** p99 per region (ms). */
  p99Ms: Record<string, number>;
  /** CPU of every JVM's JIT compiler threads in the round, % of one core (null: no JVM found). */
  jitCpuPct: number | null;
}

/** The rule's limits. */
export interface SettleRule {
  /** Round length (s). */
  roundS: number;
  /** The warm-up ends by this many seconds of traffic, settled or not. */
  maxS: number;
  /** JIT compiler threads busier than this (% of one core) are still compiling the hot paths. */
  maxJitCpuPct: number;
  /** Two rounds in a row whose p99 differ by at most this factor have stopped moving. */
  maxP99Factor: number;
  /** p99s at or below this count as steady whatever their ratio (noise of a few requests). */
  p99FloorMs: number;
}

export const DEFAULT_SETTLE: SettleRule = {
  roundS: 2,
  maxS: 60,
  maxJitCpuPct: 3,
  maxP99Factor: 1.5,
  p99FloorMs: 10,
};

/** Whether the last two rounds show a settled stack, and if not, what still moves. */
export function settleVerdict(
  rounds: readonly WarmupRound[],
  rule: SettleRule = DEFAULT_SETTLE,
): { settled: boolean; why: string } {
  const last = rounds.at(-1);
  const prev = rounds.at(-2);
  if (last === undefined || prev === undefined)
    return { settled: false, why: 'fewer than two rounds' };
  if (last.jitCpuPct !== null && last.jitCpuPct > rule.maxJitCpuPct)
    return { settled: false, why: `JIT compiler threads at ${String(last.jitCpuPct)} % of a core` };
  for (const [region, p99] of Object.entries(last.p99Ms)) {
    const before = prev.p99Ms[region];
    if (before === undefined) return { settled: false, why: `${region}: no earlier round` };
    const hi = Math.max(p99, before);
    const lo = Math.min(p99, before);
    if (hi > rule.p99FloorMs && hi > lo * rule.maxP99Factor)
      return { settled: false, why: `${region}: p99 ${String(before)} → ${String(p99)} ms` };
  }
  return { settled: true, why: 'JIT quiet and p99 steady over two rounds' };
}

/** The thread ids of a process, none when it is gone. */
function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${String(pid)}/task`);
  } catch {
    return [];
  }
}

/**
 * CPU ticks so far of each JIT compiler thread (`C1/C2 CompilerThre…`) of these JVMs, by
 * `pid/tid`. The JVM starts and ends compiler threads as the queue grows and drains, so compare two
 * readings with {@link ticksSince}, not their sums.
 */
export function jitCompilerTicks(pids: readonly number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids)
    for (const tid of threadIds(pid)) {
      // A thread's stat names the thread, so one read tells both what it is and what it spent.
      const st = readProcStat(Number(tid), `/proc/${String(pid)}/task`);
      if (st !== undefined && /^C[12] CompilerThre/.test(st.comm))
        out.set(`${String(pid)}/${tid}`, st.utime + st.stime);
    }
  return out;
}

/**
 * Ticks spent between two readings by the threads alive at the second: a thread that ended in
 * between is not counted (its last ticks are lost with it), one that started counts from zero.
 */
export function ticksSince(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): number {
  let sum = 0;
  for (const [k, v] of after) sum += Math.max(0, v - (before.get(k) ?? 0));
  return sum;
}

/** The JVMs' pids infra recorded (brokers and MirrorMaker 2), whose JIT a settled warm-up waits for. */
const jvmPids = (): number[] =>
  Object.entries(readPidFiles())
    .filter(([name]) => name.startsWith('kafka-') || name === 'mm2')
    .map(([, pid]) => pid);

/**
 * The scenario of a warm-up phase (or round) of `durationS`: the fixed rate, or every named
 * scenario at its mean rate from the start (scenarios.ts), under its own seed.
 */
export function warmupOf(scenario: Scenario, durationS: number, seed: number): Scenario {
  return {
    ...scenario,
    durationS,
    seed,
    scenarios: warmupScenarios(scenario.scenarios, durationS),
  };
}

/**
 * The warm-up before the measured phase, at the scenario's rate: `warmupS` seconds, or with
 * `warmupUntilSettled` rounds until the stack has settled (at most `warmupS`). Each round uses its
 * own seed, so the warm-up does not replay the measured phase's first requests.
 */
export async function warmUp(
  prepare: (sc: Scenario) => (() => Promise<RegionRun>)[],
  scenario: Scenario,
  say: (l: string) => void,
): Promise<{ runs: RegionRun[]; settle?: { rounds: WarmupRound[]; settled: boolean } }> {
  if (scenario.warmupS <= 0) return { runs: [] };
  if (!scenario.warmupUntilSettled) {
    say(
      `warm-up: ${String(scenario.rate)} req/s per region for ${String(scenario.warmupS)} s (not measured) ...`,
    );
    return {
      runs: await drive(prepare(warmupOf(scenario, scenario.warmupS, scenario.seed + 1))),
    };
  }
  const rule = { ...DEFAULT_SETTLE, maxS: scenario.warmupS };
  say(
    `warm-up: ${String(scenario.rate)} req/s per region in ${String(rule.roundS)} s rounds until the stack has settled (at most ${String(rule.maxS)} s) ...`,
  );
  const runs: RegionRun[] = [];
  const rounds: WarmupRound[] = [];
  const pids = jvmPids();
  const hz = clockTicksPerSecond();
  for (let s = 0; s < rule.maxS; s += rule.roundS) {
    const jitBefore = jitCompilerTicks(pids);
    const t0 = performance.now();
    const round = await drive(
      prepare(warmupOf(scenario, rule.roundS, scenario.seed + 1 + rounds.length)),
    );
    const wallS = (performance.now() - t0) / 1000;
    runs.push(...round);
    rounds.push({
      s: rule.roundS,
      p99Ms: Object.fromEntries(round.map((r) => [r.region, r.result.latencyMs.p99])),
      jitCpuPct:
        pids.length === 0
          ? null
          : Math.round((ticksSince(jitBefore, jitCompilerTicks(pids)) / hz / wallS) * 1000) / 10,
    });
    const verdict = settleVerdict(rounds, rule);
    if (verdict.settled) {
      say(`  settled after ${String(s + rule.roundS)} s: ${verdict.why}`);
      return { runs, settle: { rounds, settled: true } };
    }
    if (rounds.length % 5 === 0) say(`  ${String(s + rule.roundS)} s: not yet (${verdict.why})`);
  }
  say(`  not settled within ${String(rule.maxS)} s; measuring anyway`);
  return { runs, settle: { rounds, settled: false } };
}
