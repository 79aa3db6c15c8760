import {
  createKafka,
  createPublisher,
  silentLogger,
  StreamConsumer,
  subscribe,
  type ConsumedRecord,
} from '@streambid/adapters';
import type { Catalogue, Spend } from '@streambid/contracts';
import * as hdr from 'hdr-histogram-js';

/** Global spend per campaign, each spend event counted once, read from every region's local topic. */
export async function collectSpend(
  brokers: Record<string, string>,
  topics: Catalogue,
): Promise<{ byCampaign: Map<string, number>; byRegion: Map<string, Map<string, number>> }> {
  const seen = new Set<string>();
  const byCampaign = new Map<string, number>();
  const byRegion = new Map<string, Map<string, number>>();
  for (const [region, broker] of Object.entries(brokers)) {
    const kafka = createKafka({
      clientId: `loadtest-spend-${region}`,
      brokers: [broker],
      logger: silentLogger(),
    });
    const dlq = await createPublisher(kafka);
    const consumer = new StreamConsumer({
      kafka,
      service: 'loadtest',
      logger: silentLogger(),
      deadLetter: dlq,
      deadLetterTopic: topics.deadLetter.name,
      subscriptions: [
        subscribe({
          topic: topics.spend,
          handle: (recs: ConsumedRecord<Spend>[]) => {
            for (const r of recs) {
              const s = r.value;
              if (!s || seen.has(s.eventId)) continue;
              seen.add(s.eventId);
              byCampaign.set(s.campaignId, (byCampaign.get(s.campaignId) ?? 0) + s.amountMicros);
              const m = byRegion.get(s.region) ?? new Map<string, number>();
              m.set(s.campaignId, (m.get(s.campaignId) ?? 0) + s.amountMicros);
              byRegion.set(s.region, m);
            }
          },
        }),
      ],
    });
    try {
      await consumer.start();
      await consumer.caughtUp;
    } finally {
      await consumer.stop();
      await dlq.close();
    }
  }
  return { byCampaign, byRegion };
}

/**
 * Measures replication lag as MirrorMaker 2 delivers it: for every remote copy of `spend` in a
 * region, arrival time minus the event time the producer stamped.
 */
export class ReplicationLagProbe {
  private readonly consumers: StreamConsumer[] = [];
  readonly hist = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  count = 0;

  async start(brokers: Record<string, string>, topics: Catalogue): Promise<void> {
    for (const [region, broker] of Object.entries(brokers)) {
      const kafka = createKafka({
        clientId: `loadtest-lag-${region}`,
        brokers: [broker],
        logger: silentLogger(),
      });
      const dlq = await createPublisher(kafka);
      const c = new StreamConsumer({
        kafka,
        service: 'loadtest',
        logger: silentLogger(),
        deadLetter: dlq,
        deadLetterTopic: topics.deadLetter.name,
        fromBeginning: false,
        subscriptions: [
          subscribe({
            topic: topics.spend,
            includeRemotes: true,
            handle: (recs) => {
              const now = Date.now();
              for (const r of recs) {
                if (r.sourceRegion === null) continue;
                this.hist.recordValue(Math.max(1, now - r.timestamp));
                this.count++;
              }
            },
          }),
        ],
      });
      await c.start();
      this.consumers.push(c);
    }
  }

  p99Ms(): number | null {
    return this.count === 0 ? null : this.hist.getValueAtPercentile(99);
  }

  p50Ms(): number | null {
    return this.count === 0 ? null : this.hist.getValueAtPercentile(50);
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
