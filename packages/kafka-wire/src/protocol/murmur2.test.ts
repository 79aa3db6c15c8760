import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './murmur2.js';

function randomKey(i: number): string {
  const kinds = [
    () => `bid-${randomBytes(8).toString('hex')}`,
    () => randomBytes(1 + (i % 13)).toString('base64'),
    () => `ü-${String(i)}-日本-🎯`.slice(0, 1 + (i % 12)),
    () => '',
  ];
  return (kinds[i % kinds.length] ?? (() => ''))();
}

describe('murmur2 partitioning', () => {
  it('matches the Java client on its published test vectors', () => {
    // From Apache Kafka's UtilsTest.testMurmur2.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [s, h] of cases) expect(murmur2(Buffer.from(s))).toBe(h);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it('picks the partition kafkajs DefaultPartitioner picks, for any key and partition count', () => {
    for (let numPartitions = 1; numPartitions <= 12; numPartitions++) {
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = Array.from({ length: numPartitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (let i = 0; i < 300; i++) {
        const key = randomKey(i);
        const args: PartitionerArgs = {
          topic: 't',
          partitionMetadata,
          message: { key, value: 'v' },
        };
        expect(partitionForKey(key, numPartitions), `key ${JSON.stringify(key)}`).toBe(
          partitioner(args),
        );
      }
    }
  });

  it('hashes keys longer than its scratch buffer', () => {
    const key = 'k'.repeat(5000);
    expect(partitionForKey(key, 7)).toBe((murmur2(Buffer.from(key)) & 0x7fffffff) % 7);
  });
});
