import { describe, expect, it } from 'vitest';
import type { PartitionPlan } from './plan.js';
import { shareOut } from './replayer.js';

const plan = (partition: number, size: number): PartitionPlan => ({
  topic: 'clicks',
  partition,
  start: 100n,
  end: 100n + BigInt(size),
});

describe('sharing partitions out among replay lanes', () => {
  it('gives every partition to exactly one lane, balancing the messages to read', () => {
    const plans = [plan(0, 900), plan(1, 100), plan(2, 500), plan(3, 500), plan(4, 100)];
    const shares = shareOut(plans, 2);
    expect(shares).toHaveLength(2);
    expect(
      shares
        .flat()
        .map((p) => p.partition)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
    const loads = shares.map((s) =>
      s.reduce((n, p) => n + Number((p.end ?? p.start) - p.start), 0),
    );
    expect(loads.sort()).toEqual([1000, 1100]);
  });

  it('never makes more lanes than partitions, nor an empty lane', () => {
    expect(shareOut([plan(0, 10)], 4)).toEqual([[plan(0, 10)]]);
    expect(shareOut([], 2)).toEqual([]);
  });
});
