import {
  createKafka,
  createPublisher,
  onReplicationLag,
  silentLogger,
  StreamConsumer,
  subscribe,
  type ConsumedRecord,
  type Publisher,
  type StreamConsumerOptions,
} from '@streambid/adapters';
import {
  addImpression,
  ZERO_SPEND,
  type Catalogue,
  type Spend,
  type SpendSum,
} from '@streambid/contracts';
import * as hdr from 'hdr-histogram-js';

/** Spend as the log holds it: exact micros per campaign, each bid once, and the billed bids. */
export interface CollectedSpend {
  byCampaign: Map<string, number>;
  byRegion: Map<string, Map<string, number>>;
  /** Spend events per bid id over every region's local topic (more than 1: billed twice). */
  eventsByBid: Map<string, number>;
  /** The price (CPM micros) of each billed bid, from its first spend event. */
  cpmByBid: Map<string, number>;
}

/**
 * A consumer of one region's Kafka (its own client, `clientId`) whose invalid records go to the
 * namespace's dead-letter topic through `dlq`, which the caller closes.
 */
async function regionConsumer(
  clientId: string,
  broker: string,
  topics: Catalogue,
  o: Pick<StreamConsumerOptions, 'subscriptions' | 'fromBeginning'>,
): Promise<{ consumer: StreamConsumer; dlq: Publisher }> {
  const kafka = createKafka({ clientId, brokers: [broker], logger: silentLogger() });
  const dlq = await createPublisher(kafka);
  const consumer = new StreamConsumer({
    kafka,
    service: 'loadtest',
    logger: silentLogger(),
    deadLetter: dlq,
    deadLetterTopic: topics.deadLetter.name,
    ...o,
  });
  return { consumer, dlq };
}

/** Global spend per campaign, each spend event counted once, read from every region's local topic. */
export async function collectSpend(
  brokers: Record<string, string>,
  topics: Catalogue,
): Promise<CollectedSpend> {
  const seen = new Set<string>();
  const eventsByBid = new Map<string, number>();
  const cpmByBid = new Map<string, number>();
  const sums = new Map<string, SpendSum>();
  const regionSums = new Map<string, Map<string, SpendSum>>();
  for (const [region, broker] of Object.entries(brokers)) {
    const { consumer, dlq } = await regionConsumer(`loadtest-spend-${region}`, broker, topics, {
      subscriptions: [
        subscribe({
          topic: topics.spend,
          handle: (recs: ConsumedRecord<Spend>[]) => {
            for (const r of recs) {
              const s = r.value;
              if (!s) continue;
              eventsByBid.set(s.bidId, (eventsByBid.get(s.bidId) ?? 0) + 1);
              if (!cpmByBid.has(s.bidId)) cpmByBid.set(s.bidId, s.cpmMicros);
              if (seen.has(s.eventId)) continue;
              seen.add(s.eventId);
              // Exact: the sub-micro parts of every impression add up (addImpression).
              sums.set(
                s.campaignId,
                addImpression(sums.get(s.campaignId) ?? ZERO_SPEND, s.cpmMicros),
              );
              const m = regionSums.get(s.region) ?? new Map<string, SpendSum>();
              m.set(s.campaignId, addImpression(m.get(s.campaignId) ?? ZERO_SPEND, s.cpmMicros));
              regionSums.set(s.region, m);
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
  const micros = (m: Map<string, SpendSum>): Map<string, number> =>
    new Map([...m].map(([k, v]) => [k, v.micros]));
  return {
    byCampaign: micros(sums),
    byRegion: new Map([...regionSums].map(([r, m]) => [r, micros(m)])),
    eventsByBid,
    cpmByBid,
  };
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
      const { consumer: c } = await regionConsumer(`loadtest-lag-${region}`, broker, topics, {
        fromBeginning: false,
        subscriptions: [
          subscribe({
            topic: topics.spend,
            includeRemotes: true,
            // The histogram's floor is 1 ms.
            handle: onReplicationLag((lag) => {
              this.hist.recordValue(Math.max(1, lag));
              this.count++;
            }),
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
