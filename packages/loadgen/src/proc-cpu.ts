/**
 * CPU accounting from Linux `/proc`, for benchmarks on a shared machine: the CPU time a process
 * spends per request moves far less with scheduling noise than latency and throughput do. A process's counters
 * (`/proc/<pid>/stat` utime + stime) cover all of its threads, live and exited; children are
 * separate processes, so a tree is summed over its live descendants plus the time of the children
 * they have reaped (cutime + cstime). The host's steal time comes from `/proc/stat`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The fields of `/proc/<pid>/stat` used here (man 5 proc); times in clock ticks. */
export interface ProcStat {
  pid: number;
  /** Executable name, without the parentheses. */
  comm: string;
  /** `R`, `S`, `D`, `Z`, ... */
  state: string;
  ppid: number;
  /** User-mode CPU of every thread, live and exited (ticks). */
  utime: number;
  /** Kernel-mode CPU of every thread, live and exited (ticks). */
  stime: number;
  /** User-mode CPU of the children this process has waited for (ticks). */
  cutime: number;
  /** Kernel-mode CPU of the children this process has waited for (ticks). */
  cstime: number;
  numThreads: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. The name may hold spaces and parentheses, so the fields are
 * read after its last `)`.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open)
    throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 60)}`);
  // After the name: field 3 (state) onwards, so field n (1-based, man 5 proc) is rest[n - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat field ${String(n)} missing`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    numThreads: field(20),
  };
}

/** CPU ticks of a process including the children it has reaped. */
export function ticksWithReaped(s: ProcStat): number {
  return s.utime + s.stime + s.cutime + s.cstime;
}

/** `root` and its descendants among `stats` (root first; empty when root is not there). */
export function processTree(root: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  let top: ProcStat | undefined;
  for (const s of stats) {
    if (s.pid === root) top = s;
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  if (!top) return [];
  const out: ProcStat[] = [];
  const seen = new Set<number>();
  const queue: ProcStat[] = [top];
  while (queue.length > 0) {
    const s = queue.shift() as ProcStat;
    if (seen.has(s.pid)) continue;
    seen.add(s.pid);
    out.push(s);
    queue.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

/**
 * Ticks of a tree: every member's own time plus what each has reaped. Between two samples the
 * difference is the tree's CPU in the window, even when a child exited in it (its time moves
 * into its parent's cutime/cstime), as long as a member of the tree reaped it.
 */
export function treeTicks(root: number, stats: readonly ProcStat[]): number {
  return processTree(root, stats).reduce((sum, s) => sum + ticksWithReaped(s), 0);
}

/** `/proc/<pid>/stat` of one process; undefined when it is gone. */
export function readProcStat(pid: number, procRoot = '/proc'): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`${procRoot}/${String(pid)}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat` of every process that can be read now. */
export function listProcStats(procRoot = '/proc'): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const s = readProcStat(Number(name), procRoot);
    if (s) out.push(s);
  }
  return out;
}

let clkTck: number | undefined;

/** `USER_HZ`, the unit of `/proc` CPU times (`getconf CLK_TCK`; 100 on every Linux we run). */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clkTck = Number.isInteger(v) && v > 0 ? v : 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** Converts `/proc` ticks to microseconds. */
export function ticksToUs(ticks: number, ticksPerSecond = clockTicksPerSecond()): number {
  return (ticks * 1e6) / ticksPerSecond;
}

/**
 * Cumulative CPU of `pid` (all threads) and, with `tree` (the default), of its descendants and the
 * children they reaped, in µs. Throws when the process is gone.
 */
export function processCpuUs(
  pid: number,
  opts: { tree?: boolean; procRoot?: string } = {},
): number {
  const root = opts.procRoot ?? '/proc';
  if (opts.tree === false) {
    const s = readProcStat(pid, root);
    if (!s) throw new Error(`process ${String(pid)} is gone`);
    return ticksToUs(s.utime + s.stime);
  }
  const stats = listProcStats(root);
  if (!stats.some((s) => s.pid === pid)) throw new Error(`process ${String(pid)} is gone`);
  return ticksToUs(treeTicks(pid, stats));
}

/** What {@link measureCpuPerRequest} found over one window. */
export interface CpuWindow {
  /** CPU of the process tree over the window, µs (resolution: one tick, 10 ms at USER_HZ 100). */
  cpuUs: number;
  /** Requests the window served, as `run` reported. */
  requests: number;
  /** `cpuUs / requests`; NaN when no request was served. */
  usPerRequest: number;
  wallMs: number;
  /** Cores the tree kept busy on average (`cpuUs / wall time`). */
  cores: number;
}

/** CPU µs per request; NaN when no request was served. */
export function cpuPerRequest(cpuUs: number, requests: number): number {
  return requests > 0 ? cpuUs / requests : Number.NaN;
}

/**
 * Samples the CPU of `pid`'s process tree before and after `run` (which returns how many requests
 * it had served), so the figure is the server's whole cost per request in that window, its idle
 * work (timers, consumers) included.
 */
export async function measureCpuPerRequest(
  pid: number,
  run: () => Promise<number>,
  opts: { tree?: boolean; procRoot?: string } = {},
): Promise<CpuWindow> {
  const before = processCpuUs(pid, opts);
  const t0 = performance.now();
  const requests = await run();
  const wallMs = performance.now() - t0;
  const cpuUs = processCpuUs(pid, opts) - before;
  return {
    cpuUs,
    requests,
    usPerRequest: cpuPerRequest(cpuUs, requests),
    wallMs,
    cores: wallMs > 0 ? cpuUs / (wallMs * 1000) : 0,
  };
}

/** The host's aggregate CPU counters (the `cpu` line of `/proc/stat`), ticks. */
export interface HostCpu {
  /** Every state's ticks (guest time is already inside user and nice). */
  total: number;
  idle: number;
  /** Time the hypervisor ran something else while this machine had work. */
  steal: number;
}

/** Parses the aggregate `cpu ` line of `/proc/stat`. */
export function parseHostCpu(text: string): HostCpu {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  // user nice system idle iowait irq softirq steal guest guest_nice
  const v = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
    .map((x) => (Number.isFinite(x) ? x : 0));
  const at = (i: number): number => v[i] ?? 0;
  return {
    total: at(0) + at(1) + at(2) + at(3) + at(4) + at(5) + at(6) + at(7),
    idle: at(3) + at(4),
    steal: at(7),
  };
}

/** The host's counters now. */
export function readHostCpu(procRoot = '/proc'): HostCpu {
  return parseHostCpu(readFileSync(`${procRoot}/stat`, 'latin1'));
}

/** Shares of the host's CPU time between two samples, in percent of all cores' time. */
export function hostShares(before: HostCpu, after: HostCpu): { busyPct: number; stealPct: number } {
  const total = after.total - before.total;
  if (total <= 0) return { busyPct: 0, stealPct: 0 };
  const pct = (x: number): number => Math.round((x / total) * 1000) / 10;
  return {
    busyPct: pct(total - (after.idle - before.idle) - (after.steal - before.steal)),
    stealPct: pct(after.steal - before.steal),
  };
}
