import type { Admin } from 'kafkajs';
import { chQuery, rawSql, type ClickHouseClient } from '@streambid/adapters';

/** Where one partition's replay starts and stops. */
export interface PartitionPlan {
  topic: string;
  partition: number;
  /** First offset to read. */
  start: bigint;
  /** Stop before this offset (exclusive); null = follow forever. */
  end: bigint | null;
}

/**
 * Offsets are looked up by time with this much slack either side, because message timestamps are
 * only roughly ordered within a partition. Events are filtered by their exact event time anyway,
 * so the slack costs a little reading, never correctness, for events at most this far out of order.
 */
export const TIME_SLACK_MS = 5 * 60_000;

/** The highest offset already stored per `topic:partition` in a model table. */
export async function storedOffsets(
  ch: ClickHouseClient,
  table: string,
): Promise<Map<string, bigint>> {
  const rows = await chQuery<{ t: string; p: number; o: string }>(
    ch,
    rawSql(
      `SELECT src_topic AS t, src_partition AS p, max(src_offset) AS o FROM ${table} GROUP BY t, p`,
    ),
  );
  return new Map(rows.map((r) => [`${r.t}:${String(r.p)}`, BigInt(r.o)]));
}

async function offsetsAt(admin: Admin, topic: string, ts: number): Promise<Map<number, bigint>> {
  const res = await admin.fetchTopicOffsetsByTimestamp(topic, Math.max(0, ts));
  return new Map(res.map((o) => [o.partition, BigInt(o.offset)]));
}

/**
 * Plans every partition of `topic`: start at the offset for `fromMs` (or the earliest), but never
 * before what ClickHouse already holds (resume); stop at the offset for `toMs` (or the high
 * watermark at planning time), or never when following.
 */
export async function planTopic(
  admin: Admin,
  topic: string,
  opts: {
    fromMs: number | null;
    toMs: number | null;
    follow: boolean;
    stored: Map<string, bigint>;
  },
): Promise<PartitionPlan[]> {
  const marks = await admin.fetchTopicOffsets(topic);
  const startAt =
    opts.fromMs === null ? null : await offsetsAt(admin, topic, opts.fromMs - TIME_SLACK_MS);
  const endAt =
    opts.toMs === null ? null : await offsetsAt(admin, topic, opts.toMs + TIME_SLACK_MS);
  return marks.map((m) => {
    const low = BigInt(m.low);
    const high = BigInt(m.high);
    // Following with no start time: new partitions begin at the live end, not at the beginning.
    let start = opts.follow && opts.fromMs === null ? high : low;
    const byTime = startAt?.get(m.partition);
    // -1 means "no message at or after that time": nothing to read before the end.
    if (byTime !== undefined) start = byTime < 0n ? high : byTime > low ? byTime : low;
    const resumeAfter = opts.stored.get(`${topic}:${String(m.partition)}`);
    if (
      resumeAfter !== undefined &&
      (resumeAfter + 1n > start || (opts.follow && opts.fromMs === null))
    )
      start = resumeAfter + 1n;
    let end: bigint | null = opts.follow ? null : high;
    const endByTime = endAt?.get(m.partition);
    if (end !== null && endByTime !== undefined && endByTime >= 0n && endByTime < end)
      end = endByTime;
    return { topic, partition: m.partition, start, end };
  });
}

/** Progress of a replay, reported as it goes. */
export interface ReplayProgress {
  /** Messages read (in or out of the window). */
  read: number;
  /** Messages to read in total; null when following. */
  total: number | null;
  /** Rows stored in ClickHouse. */
  written: number;
  invalid: number;
  startedAt: number;
}
