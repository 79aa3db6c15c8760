/**
 * Samples, every 100 ms during a load phase, the CPU each role of the stack spent (from
 * `/proc/<pid>/stat`) and the host's counters (`/proc/stat`, steal included), and records the
 * generator's own GC pauses. Reading only the pids that have a role keeps a sample near 1 ms; the
 * process list is scanned again every second for processes that came up meanwhile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import {
  clockTicksPerSecond,
  listProcStats,
  readHostCpu,
  readProcStat,
  type HostCpu,
} from '@streambid/loadgen';
import { assignRoles } from './cpu-roles.js';
import { cpuShare, type CpuSlice, type GcPause, type TickClock } from './seconds.js';

/** The repository root, without a trailing slash. */
const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
/** Where infra records the pids of the services it started (infra/src/proc.ts). */
export const PID_DIR = `${ROOT}/.data/pids`;
/** Slice length. */
const SLICE_MS = 100;
/** Slices between two scans of the process list. */
const RESCAN_EVERY = 10;

/** What a sampler saw over one phase. */
export interface CpuRecording {
  slices: CpuSlice[];
  gcPauses: GcPause[];
  clock: TickClock;
}

/** Options of {@link CpuSampler}. */
export interface CpuSamplerOptions {
  /** The apps the stack started, by role name. */
  apps: () => readonly { pid: number; name: string }[];
  /** Redis client port → region. */
  redisRegionByPort: ReadonlyMap<number, string>;
  /** @default the infra pid directory, `.data/pids` */
  pidDir?: string;
}

/** Pids infra recorded, by service name (`kafka-eu`, `mm2`, …). */
export function readPidFiles(dir: string = PID_DIR): Record<string, number> {
  const out: Record<string, number> = {};
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const f of names) {
    if (!f.endsWith('.pid')) continue;
    try {
      const pid = Number.parseInt(readFileSync(join(dir, f), 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0) out[f.slice(0, -4)] = pid;
    } catch {
      // Removed while we read the directory.
    }
  }
  return out;
}

function readCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'latin1')
      .replaceAll('\0', ' ')
      .trim();
  } catch {
    return undefined;
  }
}

/** Samples CPU per role in 100 ms slices between {@link start} and {@link stop}. */
export class CpuSampler {
  private readonly clock: TickClock = { hz: clockTicksPerSecond(), cores: cpus().length || 1 };
  private readonly pidDir: string;
  private roles = new Map<number, string>();
  private readonly lastTicks = new Map<number, number>();
  private readonly cmdlines = new Map<number, { comm: string; cmd: string | undefined }>();
  private slices: CpuSlice[] = [];
  private gcPauses: GcPause[] = [];
  private lastHost: HostCpu | undefined;
  private lastAt = 0;
  private n = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly gcObserver: PerformanceObserver;

  constructor(private readonly opts: CpuSamplerOptions) {
    this.pidDir = opts.pidDir ?? PID_DIR;
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        this.gcPauses.push({ startTime: e.startTime, duration: e.duration });
    });
  }

  /** Starts a new recording (what an earlier one held is dropped). */
  start(): void {
    this.stopTimer();
    this.slices = [];
    this.gcPauses = [];
    this.scan();
    this.lastHost = readHostCpu();
    this.lastAt = performance.now();
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.timer = setInterval(() => this.sample(), SLICE_MS);
    this.timer.unref();
  }

  /** Takes a last slice and returns the recording. */
  stop(): CpuRecording {
    if (this.timer !== undefined) this.sample();
    this.stopTimer();
    return { slices: this.slices, gcPauses: this.gcPauses, clock: this.clock };
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.gcObserver.disconnect();
  }

  /** Maps every process with a role, and takes the baseline of the ones new to it. */
  private scan(): void {
    const stats = listProcStats();
    const comms = new Map(stats.map((s) => [s.pid, s.comm]));
    for (const pid of this.cmdlines.keys()) if (!comms.has(pid)) this.cmdlines.delete(pid);
    const cmdline = (pid: number): string | undefined => {
      const comm = comms.get(pid) ?? '';
      const known = this.cmdlines.get(pid);
      if (known?.comm === comm) return known.cmd;
      const cmd = readCmdline(pid);
      this.cmdlines.set(pid, { comm, cmd });
      return cmd;
    };
    this.roles = assignRoles({
      stats,
      cmdline,
      apps: this.opts.apps(),
      pidFiles: readPidFiles(this.pidDir),
      self: process.pid,
      redisRegionByPort: this.opts.redisRegionByPort,
      root: ROOT,
    });
    for (const s of stats)
      if (this.roles.has(s.pid) && !this.lastTicks.has(s.pid))
        this.lastTicks.set(s.pid, s.utime + s.stime);
    for (const pid of this.lastTicks.keys()) if (!this.roles.has(pid)) this.lastTicks.delete(pid);
  }

  private sample(): void {
    const now = performance.now();
    const host = readHostCpu();
    const ticks: Record<string, number> = {};
    for (const [pid, role] of this.roles) {
      const s = readProcStat(pid);
      if (!s) {
        this.lastTicks.delete(pid);
        continue;
      }
      const t = s.utime + s.stime;
      const prev = this.lastTicks.get(pid);
      this.lastTicks.set(pid, t);
      if (prev !== undefined && t >= prev) ticks[role] = (ticks[role] ?? 0) + (t - prev);
    }
    const before = this.lastHost ?? host;
    this.slices.push({
      t0: this.lastAt,
      t1: now,
      ticks,
      host: {
        total: host.total - before.total,
        idle: host.idle - before.idle,
        steal: host.steal - before.steal,
      },
    });
    this.lastHost = host;
    this.lastAt = now;
    if (++this.n % RESCAN_EVERY === 0) this.scan();
  }
}

/** The 100 ms slices as a report file holds them: ms since `startMs`, shares per slice. */
export function slicesForFile(
  rec: CpuRecording,
  startMs: number,
): {
  t_ms: number;
  ms: number;
  steal_pct: number;
  busy_pct: number;
  cpu: Record<string, number>;
}[] {
  return rec.slices.map((s) => {
    const share = cpuShare([s], rec.clock);
    return {
      t_ms: Math.round(s.t0 - startMs),
      ms: Math.round(s.t1 - s.t0),
      steal_pct: share?.steal_pct ?? 0,
      busy_pct: share?.busy_pct ?? 0,
      cpu: Object.fromEntries(Object.entries(share?.cpu ?? {}).filter(([, v]) => v > 0)),
    };
  });
}
