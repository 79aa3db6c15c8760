import type { Kafka } from 'kafkajs';
import {
  createPublisher,
  StreamConsumer,
  subscribe,
  type ConsumedRecord,
  type Logger,
} from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import { rangesProblem, ReferenceAtTime, type ReferenceHistory } from '@streambid/reference-data';

/** The reference data a replay scores with, and how to stop following its topics. */
export interface ReferenceSource {
  /** The versions read so far, by event time. */
  reference: ReferenceAtTime;
  /** Versions read (bots, data centre), for the logs. */
  versions(): { bots: number; datacentre: number };
  /** Stops following (a replay stops once it has read the history; a follow at its end). */
  stop(): Promise<void>;
}

/** The version in a reference-data key (`v3`), for tombstones. */
function versionOfKey(key: string | null): number | null {
  const m = /^v(\d{1,10})$/.exec(key ?? '');
  return m?.[1] === undefined ? null : Number(m[1]);
}

function apply<V, T extends V & { version: number; effectiveFrom: number }>(
  h: ReferenceHistory<V>,
  records: readonly ConsumedRecord<T>[],
  problem: (v: T) => string | null = () => null,
): void {
  for (const r of records) {
    if (r.value) {
      const why = problem(r.value);
      // Thrown: the consumer dead-letters the version with this reason and goes on.
      if (why !== null) throw new Error(`version ${String(r.value.version)}: ${why}`);
      h.put({ version: r.value.version, effectiveFrom: r.value.effectiveFrom, value: r.value });
    } else {
      const v = versionOfKey(r.key);
      if (v !== null) h.remove(v);
    }
  }
}

/**
 * Reads every version of the bot rules and the data-centre ranges from their compacted topics
 * (this region's and the replicated copies: they are keyed by version, so the whole history is
 * there unless a version was retired), resolving once caught up. The consumer keeps following:
 * a `follow` applies versions published meanwhile to the clicks that arrive after them. Invalid
 * versions are dead-lettered with the reason, never applied.
 */
export async function followReference(o: {
  kafka: Kafka;
  topics: Catalogue;
  logger: Logger;
}): Promise<ReferenceSource> {
  const reference = new ReferenceAtTime();
  const deadLetter = await createPublisher(o.kafka);
  const consumer = new StreamConsumer({
    kafka: o.kafka,
    service: 'clickfraud',
    deadLetter,
    deadLetterTopic: o.topics.deadLetter.name,
    logger: o.logger.child({ module: 'reference' }),
    // Reference topics are small and rarely written: no reason to wait for bytes to pile up.
    minBytes: 1,
    subscriptions: [
      subscribe({
        topic: o.topics.referenceBots,
        includeRemotes: true,
        handle: (recs) => apply(reference.bots, recs),
      }),
      subscribe({
        topic: o.topics.referenceDatacentre,
        includeRemotes: true,
        handle: (recs) => apply(reference.datacentre, recs, (v) => rangesProblem(v.ranges)),
      }),
    ],
  });
  const stop = async (): Promise<void> => {
    await consumer.stop().catch(() => undefined);
    await deadLetter.close();
  };
  const names = await consumer.resolveTopics().catch(async (err: unknown) => {
    await deadLetter.close();
    throw err;
  });
  // No reference topic (an older deployment): the built-in lists at every time.
  if (names.length === 0) {
    await deadLetter.close();
    return {
      reference,
      versions: () => ({ bots: 0, datacentre: 0 }),
      stop: () => Promise.resolve(),
    };
  }
  try {
    await consumer.start();
    await consumer.caughtUp;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    reference,
    versions: () => ({ bots: reference.bots.size, datacentre: reference.datacentre.size }),
    stop,
  };
}
