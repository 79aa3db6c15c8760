import type { Kafka } from 'kafkajs';
import { REGIONS, type TopicDef } from '@streambid/contracts';
import { waitFor } from '../wait.js';

/** Topic-level configs derived from a catalogue entry. */
export function topicConfigs(topic: TopicDef): Record<string, string> {
  const cfg: Record<string, string> = {
    'cleanup.policy': topic.cleanup,
    'retention.ms': String(topic.retentionMs),
  };
  if (topic.cleanup === 'compact') {
    // Compact promptly so views rebuilt at start-up read little history.
    cfg['min.cleanable.dirty.ratio'] = '0.1';
    cfg['segment.ms'] = String(3_600_000);
    cfg['delete.retention.ms'] = String(86_400_000);
  }
  return cfg;
}

/**
 * Creates every topic that is missing; existing topics are left as they are. Safe to run on every
 * start-up and concurrently from several processes. Returns the names it created.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicDef[],
  opts: { replicationFactor?: number } = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: opts.replicationFactor ?? 1,
        configEntries: Object.entries(topicConfigs(t)).map(([name, value]) => ({ name, value })),
      })),
    });
    // createTopics reports false (not an error) when another process created a topic first.
    // Leaders are elected asynchronously; wait until every partition answers offset requests.
    for (const t of missing) {
      await waitFor(
        async () => {
          try {
            const offs = await admin.fetchTopicOffsets(t.name);
            return offs.length === t.partitions;
          } catch {
            return false;
          }
        },
        { timeoutMs: 30_000, intervalMs: 50, what: `leaders for ${t.name}` },
      );
    }
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}

/** End offsets (high watermarks) per partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Names of a namespaced topic or its remote copy: `<ns>-<hex id>-<topic>`, `eu.<ns>-…`. */
const NAMESPACED = /^(?:(?:eu|us|ap)\.)*[a-z][a-z0-9]*(?:-[a-z0-9]+)*?-[0-9a-f]{8,12}-/;

/** True for topics created under a test, bench or load-test namespace (never the bare catalogue). */
export function isNamespacedTopic(name: string): boolean {
  return NAMESPACED.test(name);
}

/** Deletes the given topics (in batches); topics already gone are ignored. */
export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < names.length; i += 100)
      await admin
        .deleteTopics({ topics: names.slice(i, i + 100), timeout: 30_000 })
        .catch((err: unknown) => {
          if (!(
            err instanceof Error &&
            /does not host this topic-partition|UNKNOWN_TOPIC/i.test(err.message)
          ))
            throw err;
        });
  } finally {
    await admin.disconnect();
  }
}

/** A topic of namespace `ns`, or a MirrorMaker 2 remote copy of one (`us.<ns>…`, `eu.us.<ns>…`). */
export function inNamespace(name: string, ns: string): boolean {
  let rest = name;
  for (;;) {
    if (rest.startsWith(ns)) return true;
    const dot = rest.indexOf('.');
    if (dot < 0 || !(REGIONS as readonly string[]).includes(rest.slice(0, dot))) return false;
    rest = rest.slice(dot + 1);
  }
}

/**
 * Deletes namespace `ns`'s topics on every cluster given, remote copies included: MirrorMaker 2
 * does not carry a deletion over, so a bench that deletes only its own topics leaves their copies
 * behind on the other clusters, where they pile up run after run. Sources go first, then the
 * copies, so MirrorMaker is not left writing into a deleted copy. A cluster that does not answer
 * is skipped. Returns how many topics were deleted.
 */
export async function deleteNamespace(clusters: readonly Kafka[], ns: string): Promise<number> {
  let deleted = 0;
  for (const copies of [false, true])
    await Promise.all(
      clusters.map(async (k) => {
        try {
          const names = (await listTopics(k)).filter(
            (t) => inNamespace(t, ns) && !t.startsWith(ns) === copies,
          );
          await deleteTopics(k, names);
          deleted += names.length;
        } catch {
          // Not running (a single-region stack): nothing of ours there.
        }
      }),
    );
  return deleted;
}

/** Every topic name on the cluster. */
export async function listTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}
