import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Kafka } from 'kafkajs';
import {
  createPublisher,
  endOffsets,
  ensureTopics,
  waitFor,
  type Publisher,
} from '@streambid/adapters';
import { remoteTopicName, type ClickEvent } from '@streambid/contracts';
import { OFFSET_LAG_MAX } from '@streambid/infra';
import { testKafka, testTopics, uniq } from '@streambid/testkit/services';

// The procedure under test is docs/replication.md "Failover": move a consumer group (clickfraud's
// click reader, say) from us to eu using the offsets MirrorMaker 2 translated into eu.

const N = 400;
const BATCH = 20;
const CONSUMED_IN_US = 150;
const DEADLINE_MS = 30_000;

type Offsets = Map<number, bigint>;
/** One message a consumer processed (and committed). */
interface Seen {
  id: string;
  partition: number;
  offset: bigint;
}

/**
 * Most duplicates MirrorMaker's translation may cause on one partition, for a group whose
 * committed offset was `behind` records short of the replicated end. Offset syncs are written
 * every `offset.lag.max` + 1 records (plus one at the end of each flush), so a group at the end
 * re-reads at most OFFSET_LAG_MAX + 1. Further back, the checkpoint task keeps syncs at
 * power-of-two spacing from the newest one, so the nearest sync below the group can be up to
 * about twice its distance from the end away. See docs/replication.md.
 */
export function duplicateBound(behind: bigint): bigint {
  const atHead = BigInt(OFFSET_LAG_MAX + 1);
  return atHead + 2n * behind;
}

function makeClick(i: number): ClickEvent {
  return {
    eventId: `click-${String(i)}-${randomUUID().slice(0, 8)}`,
    ts: Date.now(),
    region: 'us',
    bidId: randomUUID(),
    campaignId: 'c-failover',
    creativeId: 'cr-1',
    userId: `u-${String(i % 97)}`,
  };
}

async function groupOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out: Offsets = new Map();
    for (const p of t?.partitions ?? [])
      if (p.offset !== '-1') out.set(p.partition, BigInt(p.offset));
    return out;
  } finally {
    await admin.disconnect();
  }
}

async function messagesIn(kafka: Kafka, topic: string): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0n;
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((sum, o) => sum + BigInt(o.high) - BigInt(o.low), 0n);
  } catch {
    return 0n; // just created by MirrorMaker: leaders are still being elected
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `topic` with `groupId` from its committed offsets (the start when it has none), committing
 * after every batch, and stops taking messages once `limit` were processed. Pushes the event ids
 * it processed and committed to `seen`.
 */
async function consumeWithGroup(
  kafka: Kafka,
  groupId: string,
  topic: string,
  limit: number,
  seen: Seen[],
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
      let last: string | undefined;
      const ids: Seen[] = [];
      for (const m of batch.messages) {
        if (!isRunning() || isStale() || seen.length + ids.length >= limit) break;
        const value = JSON.parse(m.value?.toString('utf8') ?? '{}') as { eventId?: string };
        ids.push({
          id: value.eventId ?? `?${m.offset}`,
          partition: batch.partition,
          offset: BigInt(m.offset),
        });
        last = m.offset;
        resolveOffset(m.offset);
      }
      if (last === undefined) return;
      // Commit before counting as processed: the group's committed position is what fails over.
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) },
      ]);
      seen.push(...ids);
    },
  });
  return consumer;
}

describe('failover of a consumer group from us to eu with translated offsets', () => {
  const { topics } = testTopics();
  const groupId = uniq('clickfraud-failover');
  let us: Kafka;
  let eu: Kafka;
  let publisher: Publisher;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    us = testKafka('us');
    eu = testKafka('eu');
    await ensureTopics(us, [topics.clicks]);
    publisher = await createPublisher(us);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await publisher.close();
    for (const [kafka, topic] of [
      [us, topics.clicks.name],
      [eu, remoteTopicName('us', topics.clicks.name)],
    ] as const) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
    }
  });

  it('resumes in eu from the translated offsets: nothing lost, duplicates bounded and counted', async () => {
    const clicks = Array.from({ length: N }, (_, i) => makeClick(i));
    const remote = remoteTopicName('us', topics.clicks.name);
    // Steady traffic, as in production: each batch is replicated before the next is sent, so
    // MirrorMaker emits offset syncs at its normal cadence rather than coalescing one burst.
    for (let i = 0; i < N; i += BATCH) {
      await publisher.publish(topics.clicks, clicks.slice(i, i + BATCH));
      await waitFor(async () => (await messagesIn(eu, remote)) >= BigInt(i + BATCH), {
        timeoutMs: DEADLINE_MS,
        intervalMs: 50,
        what: `batch ${String(i / BATCH)} replicated to eu`,
      });
    }

    // Everything produced in us before the failure reached eu (the RPO of this test is zero).
    // 1. The group works in us and commits as it goes; then us "fails" and the group stops.
    const inUs: Seen[] = [];
    const c1 = await consumeWithGroup(us, groupId, topics.clicks.name, CONSUMED_IN_US, inUs);
    await waitFor(() => inUs.length >= CONSUMED_IN_US, {
      timeoutMs: DEADLINE_MS,
      what: 'us reads',
    });
    await c1.disconnect();
    const committed = await groupOffsets(us, groupId, topics.clicks.name);
    const ends = await endOffsets(us, topics.clicks.name);

    // 2. Wait until MirrorMaker's checkpoints landed as the group's offsets in eu (never ahead of
    //    what was committed in us: that would skip records).
    const trace: string[] = [];
    const started = Date.now();
    await waitFor(
      async () => {
        const t = await groupOffsets(eu, groupId, remote);
        trace.push(
          `${String(Date.now() - started)}ms ${[...committed]
            .map(([p, c]) => `p${String(p)}:${String(c)}->${String(t.get(p) ?? '-')}`)
            .join(' ')}`,
        );
        return [...committed].every(([p, c]) => {
          const x = t.get(p);
          return x !== undefined && x <= c;
        });
      },
      { timeoutMs: DEADLINE_MS, intervalMs: 250, what: 'translated offsets in eu' },
    ).finally(() => console.log(`translated (us committed -> eu): ${trace.at(-1) ?? ''}`));

    // 3. Start the same group in eu on the remote copy; it resumes from the translated offsets.
    const inEu: Seen[] = [];
    const all = new Set(clicks.map((c) => c.eventId));
    const union = () => new Set([...inUs, ...inEu].map((s) => s.id));
    consumers.push(await consumeWithGroup(eu, groupId, remote, Infinity, inEu));
    await waitFor(() => union().size >= all.size, {
      timeoutMs: DEADLINE_MS,
      what: 'eu reads the rest',
    });

    // Offsets match one to one (the copy was written from offset 0 and nothing was filtered), so
    // a partition's duplicates are the records between where eu resumed and where us committed.
    const usIds = new Set(inUs.map((s) => s.id));
    const duplicates = inEu.filter((s) => usIds.has(s.id)).length;
    let resumedBehind = 0n;
    let bound = 0n;
    for (const [p, c] of committed) {
      const first = inEu.filter((s) => s.partition === p).map((s) => s.offset);
      const resumedAt = first.length > 0 ? first.reduce((a, b) => (a < b ? a : b)) : c;
      resumedBehind += c > resumedAt ? c - resumedAt : 0n;
      bound += duplicateBound((ends.get(p) ?? c) - c);
    }
    console.log(
      JSON.stringify({
        failover: {
          produced: N,
          consumedInUs: inUs.length,
          consumedInEu: inEu.length,
          duplicates,
          bound: Number(bound),
        },
      }),
    );
    expect(
      [...all].filter((id) => !union().has(id)),
      'lost',
    ).toEqual([]);
    expect(duplicates).toBe(Number(resumedBehind));
    expect(BigInt(duplicates)).toBeLessThanOrEqual(bound);
  });
});
