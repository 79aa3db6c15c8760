import { describe, expect, it } from 'vitest';
import type { SecondProgress } from '@streambid/loadgen';
import { formatProgressLine, PhaseProgress, type RegionSecond } from './progress.js';

const second = (
  elapsedS: number,
  completed: number,
  p99Ms: number,
  errors = 0,
): SecondProgress => ({
  elapsedS,
  sent: completed,
  completed,
  errors: 0,
  p99Ms,
  total: { sent: completed * elapsedS, completed: completed * elapsedS, errors },
});
const rs = (
  region: string,
  s: SecondProgress,
  bids: number,
  spendMicros: number,
): RegionSecond => ({
  region,
  second: s,
  bids,
  spendMicros,
});

describe('live progress', () => {
  it('formats one line: elapsed/total, each region’s rate and p99, errors, bids and spend', () => {
    expect(
      formatProgressLine('traffic', 20, [
        rs('eu', second(5, 100, 3.24), 300, 1_234_567),
        rs('us', second(5, 99, 4.06, 2), 250, 500_000),
      ]),
    ).toBe(
      '[traffic] 5/20 s | eu 100/s p99 3.2 ms | us 99/s p99 4.1 ms | errors 2 | bids 550 | spend 1.73',
    );
  });

  it('says a second’s line only once every region has reported it, regions in their order', () => {
    const lines: string[] = [];
    const p = new PhaseProgress('warm-up', ['eu', 'us'], 10, (l) => lines.push(l));
    p.report(rs('us', second(1, 50, 2), 10, 0));
    expect(lines).toEqual([]);
    p.report(rs('us', second(2, 50, 2), 20, 0));
    p.report(rs('eu', second(1, 60, 1), 12, 0));
    expect(lines).toEqual([
      '[warm-up] 1/10 s | eu 60/s p99 1.0 ms | us 50/s p99 2.0 ms | errors 0 | bids 22 | spend 0.00',
    ]);
  });
});

describe('live progress of several scenarios per region', () => {
  it('waits for every scenario of a region, adds their rates, and shows the worst p99', () => {
    const lines: string[] = [];
    // eu runs two scenarios for 2 s and one of them for a third second; us runs one.
    const reporters = (r: string, s: number): number => (r === 'eu' ? (s <= 2 ? 2 : 1) : 1);
    const p = new PhaseProgress('traffic', ['eu', 'us'], 3, (l) => lines.push(l), reporters);
    p.report({ ...rs('eu', second(1, 40, 3, 1), 10, 0), source: 'banner' });
    p.report(rs('us', second(1, 50, 2), 5, 0));
    expect(lines).toEqual([]);
    p.report({ ...rs('eu', second(1, 20, 9, 2), 12, 1_000_000), source: 'ctv' });
    expect(lines).toEqual([
      '[traffic] 1/3 s | eu 60/s p99 9.0 ms | us 50/s p99 2.0 ms | errors 3 | bids 17 | spend 1.00',
    ]);
    p.report({ ...rs('eu', second(2, 40, 4, 1), 20, 0), source: 'banner' });
    p.report({ ...rs('eu', second(2, 10, 5, 2), 22, 2_000_000), source: 'ctv' });
    p.report(rs('us', second(2, 50, 2), 9, 0));
    // Second 3: only banner still runs in eu; ctv's totals still count in the phase's errors.
    p.report({ ...rs('eu', second(3, 40, 4, 4), 30, 3_000_000), source: 'banner' });
    p.report(rs('us', second(3, 50, 2), 12, 0));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      '[traffic] 3/3 s | eu 40/s p99 4.0 ms | us 50/s p99 2.0 ms | errors 6 | bids 42 | spend 3.00',
    );
  });
});
