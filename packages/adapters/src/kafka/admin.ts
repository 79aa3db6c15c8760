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
    let created: TopicDef[] = [];
    for (let attempt = 0; ; attempt++) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) break;
      try {
        await admin.createTopics({
          // Leaders are awaited below, through offset requests: kafkajs's own wait reads metadata
          // and fails with "This server does not host this topic-partition" while a broker
          // loaded with many topics has not yet published the new ones.
          waitForLeaders: false,
          topics: missing.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: opts.replicationFactor ?? 1,
            configEntries: Object.entries(topicConfigs(t)).map(([name, value]) => ({
              name,
              value,
            })),
          })),
        });
        created = missing;
        break;
      } catch (err) {
        // Another process created one of them first (TOPIC_ALREADY_EXISTS fails the whole call),
        // or the controller is busy: list again and create what is still missing.
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
    // createTopics reports false (not an error) when another process created a topic first, and
    // a topic another process just created may have no leader yet either. Leaders are elected
    // asynchronously: wait until every partition of every topic answers offset requests.
    for (const t of topics) {
      await waitFor(
        async () => {
          try {
            // A topic made here has the catalogue's partitions; one made elsewhere may not.
            const n = (await admin.fetchTopicOffsets(t.name)).length;
            return created.includes(t) ? n === t.partitions : n > 0;
          } catch {
            return false;
          }
        },
        { timeoutMs: 30_000, intervalMs: 50, what: `leaders for ${t.name}` },
      );
    }
    return created.map((t) => t.name);
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

/**
 * True once topic `name` exists and every partition has a leader (its offsets can be read): for
 * waiting on a topic something else creates, such as MirrorMaker's remote copy. Never throws.
 */
export async function topicReady(kafka: Kafka, name: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(name)) return false;
    await admin.fetchTopicOffsets(name);
    return true;
  } catch {
    return false;
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
