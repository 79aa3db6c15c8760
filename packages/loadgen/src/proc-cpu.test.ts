import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  cpuPerRequest,
  hostShares,
  measureCpuPerRequest,
  parseHostCpu,
  parseProcStat,
  processCpuUs,
  processTree,
  readProcStat,
  ticksToUs,
  treeTicks,
  type ProcStat,
} from './proc-cpu.js';

/** A `/proc/<pid>/stat` line with the given fields (the rest zero), as Linux 6 prints it. */
function statLine(pid: number, comm: string, f: Partial<Record<number, number>>): string {
  const fields = Array.from({ length: 52 - 2 }, (_, i) => String(f[i + 3] ?? 0));
  fields[0] = 'S';
  return `${String(pid)} (${comm}) ${fields.join(' ')}\n`;
}

const proc = (pid: number, ppid: number, ticks: number, reaped = 0): ProcStat => ({
  pid,
  comm: 'x',
  state: 'S',
  ppid,
  utime: ticks,
  stime: 0,
  cutime: reaped,
  cstime: 0,
  numThreads: 1,
});

/** Burns this thread's CPU until `ms` of it have gone by (CPU time, not wall time). */
function burn(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  while (process.cpuUsage(start).user < ms * 1000) for (let i = 0; i < 10_000; i++) x += i;
  if (x < 0) throw new Error('unreachable');
}

describe('parseProcStat', () => {
  it('reads the fields after the last parenthesis, so a name with spaces and ) cannot shift them', () => {
    const s = parseProcStat(
      statLine(4242, 'node (worker) 1', { 4: 7, 14: 1500, 15: 250, 16: 30, 17: 4, 20: 11 }),
    );
    expect(s).toEqual({
      pid: 4242,
      comm: 'node (worker) 1',
      state: 'S',
      ppid: 7,
      utime: 1500,
      stime: 250,
      cutime: 30,
      cstime: 4,
      numThreads: 11,
    });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('hello')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S 0')).toThrow(/field/);
  });
});

describe('process trees', () => {
  const stats = [
    proc(1, 0, 5),
    proc(10, 1, 100),
    proc(11, 10, 20),
    proc(12, 11, 3),
    proc(20, 1, 9),
  ];

  it('holds the root and every descendant, not its siblings or parent', () => {
    expect(processTree(10, stats).map((s) => s.pid)).toEqual([10, 11, 12]);
    expect(processTree(99, stats)).toEqual([]);
  });

  it('counts a child that exited in the window through its parent reaping it', () => {
    const before = treeTicks(10, stats);
    // 11 ran 5 more ticks and exited; 10 reaped it (20 + 5 → cutime), 12 was re-parented to 1.
    const after = treeTicks(10, [
      proc(1, 0, 5),
      proc(10, 1, 110, 25),
      proc(12, 1, 4),
      proc(20, 1, 9),
    ]);
    expect(after - before).toBe(10 + 25 - 20 - 3);
  });

  it('converts ticks to microseconds at the clock rate', () => {
    expect(ticksToUs(3, 100)).toBe(30_000);
    expect(ticksToUs(3, 1000)).toBe(3000);
  });
});

describe('CPU of live processes', () => {
  it('sees this process spend the CPU it burns', () => {
    const before = processCpuUs(process.pid, { tree: false });
    burn(120);
    // Ticks are 10 ms: the counter may trail the true figure by one.
    expect(processCpuUs(process.pid, { tree: false }) - before).toBeGreaterThanOrEqual(100_000);
  });

  it('adds the CPU of a child process to its parent tree', async () => {
    const child = spawn(process.execPath, [
      '-e',
      'const t=process.cpuUsage();while(process.cpuUsage(t).user<300000);setInterval(()=>{},1000)',
    ]);
    try {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          const s = readProcStat(child.pid ?? -1);
          if (s && s.utime + s.stime >= 30) resolve();
          else setTimeout(check, 20);
        };
        check();
      });
      const own = processCpuUs(process.pid, { tree: false });
      expect(processCpuUs(process.pid) - own).toBeGreaterThanOrEqual(290_000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('gives CPU per request over a window', async () => {
    const w = await measureCpuPerRequest(
      process.pid,
      () => {
        burn(100);
        return Promise.resolve(1000);
      },
      { tree: false },
    );
    expect(w.requests).toBe(1000);
    expect(w.cpuUs).toBeGreaterThanOrEqual(80_000);
    expect(w.usPerRequest).toBeCloseTo(w.cpuUs / 1000);
    expect(cpuPerRequest(5, 0)).toBeNaN();
  });

  it('finds no process behind a pid that is not there', () => {
    expect(readProcStat(2 ** 30)).toBeUndefined();
    expect(() => processCpuUs(2 ** 30)).toThrow(/gone/);
  });
});

describe('host CPU', () => {
  const at = (user: number, idle: number, steal: number): string =>
    `cpu  ${String(user)} 0 100 ${String(idle)} 20 0 5 ${String(steal)} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1\n`;

  it('reads the aggregate line of /proc/stat', () => {
    expect(parseHostCpu(at(1000, 5000, 40))).toEqual({ total: 6165, idle: 5020, steal: 40 });
    expect(() => parseHostCpu('intr 1\n')).toThrow(/cpu line/);
  });

  it('gives busy and steal shares of the time between two samples', () => {
    const a = parseHostCpu(at(1000, 5000, 40));
    const b = parseHostCpu(at(1600, 5300, 140));
    // 1000 ticks in all: 600 user, 300 idle, 100 stolen.
    expect(hostShares(a, b)).toEqual({ busyPct: 60, stealPct: 10 });
    expect(hostShares(b, b)).toEqual({ busyPct: 0, stealPct: 0 });
  });
});
