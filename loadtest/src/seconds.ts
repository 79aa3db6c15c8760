/**
 * The per-second view of a load phase: each region's p99 beside the CPU share of every role and
 * the host's steal time, and the seconds in which every region stalled at once. Pure: the 100 ms
 * slices come from the sampler (cpu-sampler.ts), the p99s from the generator's timeline.
 */
import { median } from '@streambid/loadgen';
import { OTHER_ROLE } from './cpu-roles.js';

/** One sample of the machine over [t0, t1): CPU ticks per role and the host's counter deltas. */
export interface CpuSlice {
  /** `performance.now()` at the slice's start and end (ms). */
  t0: number;
  t1: number;
  /** CPU ticks each role spent in the slice (`/proc/<pid>/stat` utime + stime). */
  ticks: Record<string, number>;
  /** Deltas of the host's aggregate counters (`/proc/stat`, ticks of all cores). */
  host: { total: number; idle: number; steal: number };
}

/** CPU over a span of slices. */
export interface CpuShare {
  /** Share per role in % of one core (200 = two cores busy), rounded; `other` is the rest. */
  cpu: Record<string, number>;
  /** Time the hypervisor ran something else, % of all cores' time (as `top`'s `st`). */
  steal_pct: number;
  /** Busy time of the host, % of all cores' time. */
  busy_pct: number;
  /** The highest steal of one slice in the span. */
  steal_max_pct: number;
}

/** How {@link cpuShare} converts ticks. */
export interface TickClock {
  /** `USER_HZ` (clock ticks per second). */
  hz: number;
  /** Online cores (the host counters sum over them). */
  cores: number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const pctOf = (part: number, whole: number): number => (whole > 0 ? (part / whole) * 100 : 0);

/**
 * Sums slices into one share. A role's % of one core is its ticks over the slices' wall time;
 * `other` is the host's busy time less every role's, so work of processes outside the stack (and
 * of ones too short-lived to be seen) still shows. Undefined when there is no slice.
 */
export function cpuShare(slices: readonly CpuSlice[], clock: TickClock): CpuShare | undefined {
  if (slices.length === 0) return undefined;
  const ticks: Record<string, number> = {};
  let wallMs = 0;
  let total = 0;
  let idle = 0;
  let steal = 0;
  let stealMax = 0;
  for (const s of slices) {
    wallMs += s.t1 - s.t0;
    total += s.host.total;
    idle += s.host.idle;
    steal += s.host.steal;
    stealMax = Math.max(stealMax, pctOf(s.host.steal, s.host.total));
    for (const [role, n] of Object.entries(s.ticks)) ticks[role] = (ticks[role] ?? 0) + n;
  }
  const coreTicks = (wallMs / 1000) * clock.hz;
  const busyTicks = total - idle - steal;
  const cpu: Record<string, number> = {};
  let roleTicks = 0;
  for (const [role, n] of Object.entries(ticks).sort((a, b) => b[1] - a[1])) {
    roleTicks += n;
    const pct = Math.round(pctOf(n, coreTicks));
    if (pct > 0) cpu[role] = pct;
  }
  // The host's busy ticks over its own time base: cores × wall time.
  cpu[OTHER_ROLE] = Math.max(0, Math.round(pctOf(busyTicks - roleTicks, total / clock.cores)));
  return {
    cpu,
    steal_pct: round1(pctOf(steal, total)),
    busy_pct: round1(pctOf(busyTicks, total)),
    steal_max_pct: round1(stealMax),
  };
}

/** The slices of each second since `startMs` (a slice counts in the second of its midpoint). */
export function slicesBySecond(
  slices: readonly CpuSlice[],
  startMs: number,
  seconds: number,
): CpuSlice[][] {
  const out: CpuSlice[][] = Array.from({ length: seconds }, () => []);
  for (const s of slices) {
    const sec = Math.floor(((s.t0 + s.t1) / 2 - startMs) / 1000);
    if (sec >= 0 && sec < seconds) out[sec]?.push(s);
  }
  return out;
}

/** A collector pause of the generator (`PerformanceObserver` `gc` entry), performance-clock ms. */
export interface GcPause {
  startTime: number;
  duration: number;
}

/** Milliseconds of generator GC pauses that began in each second since `startMs`. */
export function gcMsBySecond(
  pauses: readonly GcPause[],
  startMs: number,
  seconds: number,
): number[] {
  const out = new Array<number>(seconds).fill(0);
  for (const p of pauses) {
    const sec = Math.floor((p.startTime - startMs) / 1000);
    if (sec >= 0 && sec < seconds) out[sec] = (out[sec] ?? 0) + p.duration;
  }
  return out.map(round1);
}

/** One second of a load phase. */
export interface SecondRow {
  /** Seconds since the phase started. */
  s: number;
  /** p99 of the requests sent in this second, per region (ms); null when none completed. */
  p99_ms: Record<string, number | null>;
  steal_pct: number | null;
  steal_max_pct: number | null;
  busy_pct: number | null;
  /** CPU in % of one core of the 6 busiest roles (of at least 1 %) and `other`. */
  cpu: Record<string, number>;
  /** Generator GC pauses begun in this second (ms). */
  gen_gc_ms: number;
}

/** Roles kept per second in the JSON (the busiest), besides `other`. */
const ROLES_PER_SECOND = 6;

/** The `n` busiest roles of at least 1 % of a core, and `other` (work outside the stack). */
export function topRoles(cpu: Readonly<Record<string, number>>, n: number): Record<string, number> {
  const top = Object.entries(cpu)
    .filter(([role, v]) => role !== OTHER_ROLE && v >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  const other = cpu[OTHER_ROLE];
  return Object.fromEntries(other === undefined ? top : [...top, [OTHER_ROLE, other]]);
}

/** Lines up each region's per-second p99 with the CPU of the same second. */
export function secondRows(input: {
  /** Per region, the p99 of each second (the generator's timeline). */
  p99BySecond: Readonly<Record<string, readonly (number | undefined)[]>>;
  slices: readonly CpuSlice[];
  gcPauses: readonly GcPause[];
  startMs: number;
  seconds: number;
  clock: TickClock;
}): SecondRow[] {
  const bySec = slicesBySecond(input.slices, input.startMs, input.seconds);
  const gc = gcMsBySecond(input.gcPauses, input.startMs, input.seconds);
  return bySec.map((slices, s) => {
    const share = cpuShare(slices, input.clock);
    const p99: Record<string, number | null> = {};
    for (const [region, list] of Object.entries(input.p99BySecond)) {
      const v = list[s];
      p99[region] = v === undefined ? null : round1(v);
    }
    return {
      s,
      p99_ms: p99,
      steal_pct: share?.steal_pct ?? null,
      steal_max_pct: share?.steal_max_pct ?? null,
      busy_pct: share?.busy_pct ?? null,
      cpu: topRoles(share?.cpu ?? {}, ROLES_PER_SECOND),
      gen_gc_ms: gc[s] ?? 0,
    };
  });
}

/** A second in which every region's p99 jumped at once. */
export interface Stall {
  s: number;
  p99_ms: Record<string, number>;
  /** The smallest region's p99 over that region's median second. */
  x_median: number;
  steal_pct: number | null;
  steal_max_pct: number | null;
  busy_pct: number | null;
  /** The roles that used the most CPU in that second (% of one core), highest first. */
  top_cpu: Record<string, number>;
  gen_gc_ms: number;
}

/** Options of {@link findStalls}. */
export interface StallOptions {
  /** A region stalls in a second whose p99 exceeds this many times its median second. @default 5 */
  factor?: number;
  /** ... and is at least this high (ms), so sub-millisecond jitter is no stall. @default 20 */
  minMs?: number;
  /** Roles listed per stall. @default 3 */
  top?: number;
}

/**
 * The seconds in which every region's p99 exceeds `factor` × its own median second (and
 * `minMs`): a stall of the whole machine rather than of one region, with the top CPU roles,
 * steal and generator GC of that second beside it.
 */
export function findStalls(rows: readonly SecondRow[], opts: StallOptions = {}): Stall[] {
  const factor = opts.factor ?? 5;
  const minMs = opts.minMs ?? 20;
  const top = opts.top ?? 3;
  const regions = Object.keys(rows[0]?.p99_ms ?? {});
  if (regions.length === 0) return [];
  const medians = new Map(
    regions.map((r) => [
      r,
      median(rows.map((row) => row.p99_ms[r]).filter((v): v is number => typeof v === 'number')),
    ]),
  );
  const out: Stall[] = [];
  for (const row of rows) {
    const p99: Record<string, number> = {};
    let ratio = Number.POSITIVE_INFINITY;
    for (const r of regions) {
      const v = row.p99_ms[r];
      const m = medians.get(r) ?? Number.NaN;
      if (typeof v !== 'number' || !(m > 0) || v < minMs || v <= factor * m) {
        ratio = Number.NaN;
        break;
      }
      p99[r] = v;
      ratio = Math.min(ratio, v / m);
    }
    if (Number.isNaN(ratio)) continue;
    const topCpu = Object.entries(row.cpu)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
    out.push({
      s: row.s,
      p99_ms: p99,
      x_median: round1(ratio),
      steal_pct: row.steal_pct,
      steal_max_pct: row.steal_max_pct,
      busy_pct: row.busy_pct,
      top_cpu: Object.fromEntries(topCpu),
      gen_gc_ms: row.gen_gc_ms,
    });
  }
  return out;
}

/** `s12 (eu 311 ms, us 529 ms; 9.4× median): other 120 %, bidder-eu 45 %; steal 2 %, gen GC 0 ms` */
export function formatStall(st: Stall): string {
  const p99 = Object.entries(st.p99_ms)
    .map(([r, v]) => `${r} ${String(v)} ms`)
    .join(', ');
  const cpu = Object.entries(st.top_cpu)
    .map(([role, v]) => `${role} ${String(v)} %`)
    .join(', ');
  return `s${String(st.s)} (${p99}; ${String(st.x_median)}× median): ${cpu}; steal ${String(st.steal_pct ?? '–')} % (max slice ${String(st.steal_max_pct ?? '–')} %), generator GC ${String(st.gen_gc_ms)} ms`;
}

/** The per-second steal of a phase as one line for humans. */
export function formatStealLine(rows: readonly SecondRow[]): string {
  return `steal_pct by second: ${rows.map((r) => String(r.steal_pct ?? '–')).join(' ')}`;
}

/** What a load phase's sampling shows: the per-second view, its stalls and the phase's CPU. */
export interface PhaseView {
  seconds: SecondRow[];
  stalls: Stall[];
  /** Over the whole phase. */
  cpu: CpuShare | undefined;
}

/** The per-second view, stalls and CPU of a phase that began at `startMs` and ran `seconds`. */
export function phaseView(input: {
  rec: { slices: readonly CpuSlice[]; gcPauses: readonly GcPause[]; clock: TickClock };
  p99BySecond: Readonly<Record<string, readonly (number | undefined)[]>>;
  startMs: number;
  seconds: number;
  stall?: StallOptions;
}): PhaseView {
  const { rec } = input;
  const rows = secondRows({
    p99BySecond: input.p99BySecond,
    slices: rec.slices,
    gcPauses: rec.gcPauses,
    startMs: input.startMs,
    seconds: input.seconds,
    clock: rec.clock,
  });
  return {
    seconds: rows,
    stalls: findStalls(rows, input.stall),
    cpu: cpuShare(slicesBySecond(rec.slices, input.startMs, input.seconds).flat(), rec.clock),
  };
}

/** Each region's p99 by second from the generator's timeline (holes for empty seconds). */
export function p99BySecondOf(
  timelines: readonly { region: string; timeline: readonly { second: number; p99Ms: number }[] }[],
): Record<string, (number | undefined)[]> {
  const out: Record<string, (number | undefined)[]> = {};
  for (const t of timelines) {
    const list: (number | undefined)[] = [];
    // forEach skips the holes of a sparse timeline (a second in which nothing was sent).
    t.timeline.forEach((p) => (list[p.second] = p.p99Ms));
    out[t.region] = list;
  }
  return out;
}
