import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ReplicationLagRecorder, replicationLagMs } from './replication-lag.js';

describe('replication lag', () => {
  it('is arrival time minus event time for a message from another region', () => {
    expect(
      replicationLagMs({ topic: 'us.spend', sourceRegion: 'us', timestamp: 1_000 }, 1_250),
    ).toBe(250);
  });

  it('is null for a message read from the local topic', () => {
    expect(replicationLagMs({ topic: 'spend', sourceRegion: null, timestamp: 1_000 }, 9_000)).toBe(
      null,
    );
  });

  it('never goes negative when the source clock runs ahead', () => {
    expect(
      replicationLagMs({ topic: 'us.spend', sourceRegion: 'us', timestamp: 2_000 }, 1_000),
    ).toBe(0);
  });

  it('reports a histogram and the latest lag per remote topic, ignoring local messages', async () => {
    const registry = new Registry();
    const rec = new ReplicationLagRecorder({ registry, now: () => 10_000 });
    const remote = rec.observe([
      { topic: 'us.spend', sourceRegion: 'us', timestamp: 9_900 },
      { topic: 'us.spend', sourceRegion: 'us', timestamp: 9_700 },
      { topic: 'ap.spend', sourceRegion: 'ap', timestamp: 8_000 },
      { topic: 'spend', sourceRegion: null, timestamp: 1 },
    ]);
    expect(remote).toBe(3);
    const text = await registry.metrics();
    expect(text).toContain(
      'streambid_replication_lag_seconds_count{topic="us.spend",source_region="us"} 2',
    );
    expect(text).toContain(
      'streambid_replication_lag_seconds_bucket{le="0.25",topic="ap.spend",source_region="ap"} 0',
    );
    expect(text).toContain(
      'streambid_replication_lag_last_seconds{topic="us.spend",source_region="us"} 0.3',
    );
    expect(text).toContain(
      'streambid_replication_lag_last_seconds{topic="ap.spend",source_region="ap"} 2',
    );
    expect(text).not.toMatch(/topic="spend"/);
  });
});
