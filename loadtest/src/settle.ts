/**
 * A warm-up that ends when the stack has settled instead of after a fixed time: traffic in short
 * rounds until the JVMs' JIT compiler threads are quiet and every region's p99 has stopped moving.
 * The rule is pure (`settleVerdict`); `jitCompilerTicks` reads the compiler threads from `/proc`.
 */
import { readdirSync, readFileSync } from 'node:fs';

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

/** `/proc/<pid>/task/<tid>/stat` CPU ticks (user + system), or 0 when the thread is gone. */
function threadTicks(pid: number, tid: string): number {
  try {
    const s = readFileSync(`/proc/${String(pid)}/task/${tid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/**
 * CPU ticks so far of each JIT compiler thread (`C1/C2 CompilerThre…`) of these JVMs, by
 * `pid/tid`. The JVM starts and ends compiler threads as the queue grows and drains, so compare two
 * readings with {@link ticksSince}, not their sums.
 */
export function jitCompilerTicks(pids: readonly number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${String(pid)}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      let comm: string;
      try {
        comm = readFileSync(`/proc/${String(pid)}/task/${tid}/comm`, 'latin1');
      } catch {
        continue;
      }
      if (/^C[12] CompilerThre/.test(comm)) out.set(`${String(pid)}/${tid}`, threadTicks(pid, tid));
    }
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
