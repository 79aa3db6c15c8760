import type { Kafka } from 'kafkajs';
import { StreamConsumer, subscribe, type Logger, type Publisher } from '@streambid/adapters';
import type { TopicDef } from '@streambid/contracts';
import { domainKey } from '../normalise.js';

/**
 * The versions a reference-data topic holds (and its replicated copies), for the list `list`
 * (an ad system, for sellers) or the whole topic, read to its end as of now: each version with
 * the keys it is held under (one unless the ad system was spelt two ways).
 */
export async function existingVersions(o: {
  kafka: Kafka;
  topic: TopicDef;
  deadLetter: Publisher;
  deadLetterTopic: string;
  /** The ad system (sellers), normalised; undefined for a topic with one list. */
  list: string | undefined;
  logger: Logger;
}): Promise<Map<number, Set<string>>> {
  const held = new Map<number, Set<string>>();
  const consumer = new StreamConsumer({
    kafka: o.kafka,
    service: 'reference-data',
    deadLetter: o.deadLetter,
    deadLetterTopic: o.deadLetterTopic,
    logger: o.logger.child({ module: 'reference-data' }),
    minBytes: 1,
    subscriptions: [
      subscribe({
        topic: o.topic,
        includeRemotes: true,
        handle: (recs) => {
          for (const r of recs) {
            const m = /^(?:(.*):)?v(\d{1,10})$/.exec(r.key ?? '');
            if (m?.[2] === undefined) continue;
            if (o.list !== undefined && (m[1] === undefined || domainKey(m[1]) !== o.list))
              continue;
            const version = Number(m[2]);
            const keys = held.get(version) ?? new Set<string>();
            if (r.value === null) keys.delete(r.key ?? '');
            else keys.add(r.key ?? '');
            if (keys.size === 0) held.delete(version);
            else held.set(version, keys);
          }
        },
      }),
    ],
  });
  if ((await consumer.resolveTopics()).length === 0) return held;
  try {
    await consumer.start();
    await consumer.caughtUp;
  } finally {
    await consumer.stop();
  }
  return held;
}
