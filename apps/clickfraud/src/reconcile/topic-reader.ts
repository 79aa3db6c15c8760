import type { Kafka } from 'kafkajs';
import { PartitionFetcher, RecordCursor, type Logger } from '@streambid/adapters';
import { planTopic } from '../replay/plan.js';
import type { Window } from './facts.js';

/** One record as the reconciliation reads it. */
export interface TopicRecord {
  partition: number;
  offset: number;
  timestamp: number;
  /** The key as text (compacted topics), or null. */
  key: string | null;
  value: Buffer | null;
}

/**
 * Reads one topic of one cluster from the offsets for `from.fromMs` (less the planner's slack) to
 * the offsets for `to.toMs` (plus slack), or to the end offsets at the start when `toMs` is null.
 * Positions come from the cluster itself (no consumer group, nothing stored), so reading is
 * read-only. Returns false when the topic does not exist.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  window: Window,
  onRecord: (r: TopicRecord) => void,
  log: Logger,
): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  let brokers: string[];
  let plans: Awaited<ReturnType<typeof planTopic>>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return false;
    brokers = (await admin.describeCluster()).brokers.map((b) => `${b.host}:${String(b.port)}`);
    plans = await planTopic(admin, topic, {
      fromMs: window.fromMs,
      toMs: window.toMs,
      follow: false,
      stored: new Map(),
    });
  } finally {
    await admin.disconnect();
  }
  const open = new Map(
    plans
      .filter((p) => p.end !== null && p.start < p.end)
      .map((p) => [p.partition, { start: Number(p.start), end: Number(p.end) }]),
  );
  if (open.size === 0) return true;
  const fetcher = await PartitionFetcher.open({
    brokers,
    clientId: 'clickfraud-reconcile',
    partitions: [...open].map(([partition, p]) => ({ topic, partition, offset: p.start })),
    maxWaitMs: 100,
    logger: log,
  });
  const c = new RecordCursor();
  try {
    while (open.size > 0) {
      const parts = await fetcher.next();
      if (parts === null) throw new Error(`${topic}: the fetcher stopped before the end offsets`);
      for (const fp of parts) {
        const plan = open.get(fp.partition);
        if (plan === undefined) continue;
        c.reset(topic, fp.partition, fp.records, fp.abortedTransactions, fp.fetchOffset);
        let done = false;
        while (c.next()) {
          if (c.offset < plan.start) continue;
          if (c.offset >= plan.end) {
            done = true;
            break;
          }
          onRecord({
            partition: fp.partition,
            offset: c.offset,
            timestamp: c.timestamp,
            key: c.key === null ? null : c.key.toString('utf8'),
            value: c.value,
          });
        }
        // Transaction markers and compacted-away records hold offsets too: batch headers decide.
        if (done || (c.nextOffset >= 0 && c.nextOffset >= plan.end)) {
          open.delete(fp.partition);
          fetcher.remove(topic, fp.partition);
        }
      }
    }
  } finally {
    fetcher.close();
  }
  return true;
}
