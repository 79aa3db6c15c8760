import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { linearPartitioner } from './publisher.js';

const meta = (n: number, leaderless: number[] = []) =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe('the publishers’ partitioner', () => {
  it('puts every keyed message where kafkajs’s default partitioner would', () => {
    const ours = linearPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const key of ['c-1', 'campaign-ü-日本', '', 'x'.repeat(300), Buffer.from('bid-42')]) {
      const args: PartitionerArgs = {
        topic: 't',
        partitionMetadata: meta(6),
        message: { key, value: 'v' },
      };
      expect(ours(args)).toBe(theirs(args));
    }
  });

  it('honours an explicit partition and spreads unkeyed messages over partitions with a leader', () => {
    const p = linearPartitioner();
    expect(
      p({ topic: 't', partitionMetadata: meta(4), message: { partition: 3, value: 'v' } }),
    ).toBe(3);
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++)
      seen.add(p({ topic: 't', partitionMetadata: meta(4, [1]), message: { value: 'v' } }));
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });
});
