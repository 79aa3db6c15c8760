import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTLE,
  jitCompilerTicks,
  settleVerdict,
  ticksSince,
  type WarmupRound,
} from './settle.js';

const round = (eu: number, us: number, jit: number | null = 0): WarmupRound => ({
  s: 2,
  p99Ms: { eu, us },
  jitCpuPct: jit,
});

describe('settleVerdict', () => {
  it('needs two rounds', () => {
    expect(settleVerdict([]).settled).toBe(false);
    expect(settleVerdict([round(3, 3)]).settled).toBe(false);
  });

  it('settles when the JIT is quiet and every region p99 held over two rounds', () => {
    expect(settleVerdict([round(40, 30), round(32, 25)]).settled).toBe(true);
  });

  it('waits while a JVM JIT compiler is busy, whatever the latency', () => {
    const v = settleVerdict([round(4, 4), round(4, 4, DEFAULT_SETTLE.maxJitCpuPct + 1)]);
    expect(v).toEqual({ settled: false, why: expect.stringContaining('JIT') as string });
  });

  it('waits while one region p99 still moves, and names it', () => {
    const v = settleVerdict([round(20, 200), round(19, 60)]);
    expect(v.settled).toBe(false);
    expect(v.why).toContain('us');
    expect(settleVerdict([round(20, 30), round(19, 60)]).settled).toBe(false);
  });

  it('treats p99s under the floor as steady (a few requests of noise)', () => {
    expect(settleVerdict([round(2, 3), round(8, 9)]).settled).toBe(true);
  });

  it('judges without JIT figures when no JVM was found', () => {
    expect(settleVerdict([round(5, 5, null), round(5, 6, null)]).settled).toBe(true);
  });
});

describe('JIT compiler ticks', () => {
  it('reads no thread of processes that are not there or have no compiler threads', () => {
    expect(jitCompilerTicks([]).size).toBe(0);
    expect(jitCompilerTicks([process.pid]).size).toBe(0);
    expect(jitCompilerTicks([2 ** 22 + 1]).size).toBe(0);
  });

  it('counts threads alive at the second reading: an ended one drops out, a new one from zero', () => {
    const before = new Map([
      ['1/10', 50],
      ['1/11', 70],
    ]);
    const after = new Map([
      ['1/10', 58],
      ['1/12', 5],
    ]);
    expect(ticksSince(before, after)).toBe(13);
  });
});
