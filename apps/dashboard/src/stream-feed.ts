/**
 * Feeds the stream view from every region's cluster: campaigns, budget allowances and the
 * blocklist (local topic plus the remote copies MirrorMaker 2 made), and the region's own spend
 * and spend totals. Private views (no consumer group): each start re-reads the compacted topics
 * and the spend tail, which is what an exact total needs.
 */
import {
  createKafka,
  createPublisher,
  StreamConsumer,
  subscribe,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import type { Catalogue, Region } from '@streambid/contracts';
import type { StreamView } from './stream-view.js';

/** One region's consumer and what it needs closed. */
interface Feed {
  region: Region;
  consumer: StreamConsumer;
  dlq: Publisher;
}

export interface StreamFeedStatus {
  region: Region;
  state: string;
  caughtUp: boolean;
  reason: string | null;
}

/** The consumers of every region; `start` connects them, `stop` closes them. */
export class StreamFeed {
  private readonly feeds: Feed[] = [];
  private readonly started = new Map<Region, string | null>();

  constructor(
    private readonly opts: {
      brokers: ReadonlyMap<Region, string>;
      topics: Catalogue;
      view: StreamView;
      logger: Logger;
    },
  ) {}

  /** Starts every region's consumer; a region whose cluster is unreachable is reported, not fatal. */
  async start(): Promise<void> {
    await Promise.all(
      [...this.opts.brokers].map(([region, broker]) => this.startRegion(region, broker)),
    );
  }

  private async startRegion(region: Region, broker: string): Promise<void> {
    const { topics, view, logger } = this.opts;
    const log = logger.child({ module: 'stream-feed', region });
    const kafka = createKafka({ clientId: `dashboard-${region}`, brokers: [broker], logger });
    let dlq: Publisher;
    try {
      dlq = await createPublisher(kafka);
    } catch (err) {
      this.failed(region, err, log);
      return;
    }
    const consumer = new StreamConsumer({
      kafka,
      service: 'dashboard',
      logger: log,
      deadLetter: dlq,
      deadLetterTopic: topics.deadLetter.name,
      subscriptions: [
        subscribe({
          topic: topics.campaigns,
          includeRemotes: true,
          handle: (recs) => {
            for (const r of recs) if (r.value) view.applyCampaign(r.value);
          },
        }),
        subscribe({
          topic: topics.budget,
          includeRemotes: true,
          handle: (recs) => {
            for (const r of recs) if (r.value) view.applyAllowance(r.value);
          },
        }),
        subscribe({
          topic: topics.spend,
          handle: (recs) => {
            for (const r of recs) if (r.value) view.applySpend(region, r.value);
          },
        }),
        subscribe({
          topic: topics.spendTotals,
          handle: (recs) => {
            for (const r of recs) if (r.value) view.applySpendTotal(region, r.value);
          },
        }),
        subscribe({
          topic: topics.fraudBlocklist,
          includeRemotes: true,
          handle: (recs) => {
            for (const r of recs) if (r.key !== null) view.applyBlock(region, r.key, r.value);
          },
        }),
      ],
    });
    this.feeds.push({ region, consumer, dlq });
    try {
      await consumer.start();
      this.started.set(region, null);
    } catch (err) {
      this.failed(region, err, log);
    }
  }

  private failed(region: Region, err: unknown, log: Logger): void {
    this.started.set(region, err instanceof Error ? err.message : String(err));
    log.error({ err }, 'stream consumer did not start; this region shows no stream panels');
  }

  status(): StreamFeedStatus[] {
    return [...this.opts.brokers.keys()].map((region) => {
      const s = this.feeds.find((f) => f.region === region)?.consumer.status();
      const failed = this.started.get(region) ?? null;
      return {
        region,
        state: s?.state ?? (failed === null ? 'starting' : 'failed'),
        caughtUp: s?.caughtUp ?? false,
        reason: failed ?? s?.reason ?? null,
      };
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.feeds.map(async (f) => {
        await f.consumer.stop();
        await f.dlq.close();
      }),
    );
  }
}
