import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import { pino } from 'pino';
import { waitFor } from '@streambid/adapters';
import { brokerFor, uniq } from '@streambid/testkit/services';
import { KafkaFetchError, PartitionFetcher, type FetchStart } from '../clients/fetcher.js';
import type { BrokerConnection } from '../network/connection.js';
import { RecordCursor, UnsupportedRecordsError } from '../protocol/records.js';
import { brokerFixture } from '../testing/broker.js';

/** The private state of a fetcher that the connection-drop test reaches through a cast. */
interface FetcherInternals {
  legs: { conn: BrokerConnection; queued: number }[];
  positions: Map<string, { offset: number }>;
}

/** Requests sent on a connection and not answered yet. */
const inFlight = (conn: BrokerConnection): number =>
  (conn as unknown as { pending: unknown[] }).pending.length;

/**
 * Reads `want` records (topic:partition:offset → value) from a fetcher, in arrival order;
 * `beforeNext` runs before each `next()` with the number of records read so far.
 */
async function collect(
  f: PartitionFetcher,
  want: number,
  beforeNext?: (read: number) => Promise<void> | void,
): Promise<string[]> {
  const c = new RecordCursor();
  const out: string[] = [];
  while (out.length < want) {
    await beforeNext?.(out.length);
    const parts = await f.next();
    if (parts === null) break;
    for (const p of parts) {
      c.reset(p.topic, p.partition, p.records, p.abortedTransactions, p.fetchOffset);
      while (c.next())
        out.push(`${p.topic}:${String(p.partition)}:${String(c.offset)}=${String(c.value)}`);
    }
  }
  return out;
}

describe('PartitionFetcher against the real broker', () => {
  const broker = brokerFixture('fetch');
  const { topic } = broker;
  const open = (partitions: FetchStart[], extra: { retries?: number } = {}) =>
    PartitionFetcher.open({
      brokers: [brokerFor('eu')],
      clientId: uniq('fetch-test'),
      partitions,
      maxWaitMs: 100,
      ...extra,
    });
  it('reads every partition from its start offset, in order, with values as sent', async () => {
    const t = await topic(3);
    const producer = broker.kafka.producer();
    await producer.connect();
    for (let p = 0; p < 3; p++)
      await producer.send({
        topic: t,
        messages: Array.from({ length: 50 }, (_, i) => ({
          partition: p,
          value: `v${String(p)}-${String(i)}`,
        })),
      });
    await producer.disconnect();
    const f = await open([
      { topic: t, partition: 0, offset: 0 },
      { topic: t, partition: 1, offset: 20 },
      { topic: t, partition: 2, offset: 49 },
    ]);
    try {
      const got = await collect(f, 50 + 30 + 1);
      const of = (p: number) => got.filter((g) => g.startsWith(`${t}:${String(p)}:`));
      expect(of(0)).toEqual(
        Array.from({ length: 50 }, (_, i) => `${t}:0:${String(i)}=v0-${String(i)}`),
      );
      expect(of(1)).toEqual(
        Array.from({ length: 30 }, (_, i) => `${t}:1:${String(i + 20)}=v1-${String(i + 20)}`),
      );
      expect(of(2)).toEqual([`${t}:2:49=v2-49`]);
    } finally {
      f.close();
    }
  });

  it('waits at the end of the log and returns what is produced later; close() ends the wait', async () => {
    const t = await topic(1);
    const f = await open([{ topic: t, partition: 0, offset: 0 }]);
    const later = collect(f, 2);
    const producer = broker.kafka.producer();
    await producer.connect();
    await producer.send({ topic: t, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    expect(await later).toEqual([`${t}:0:0=a`, `${t}:0:1=b`]);
    const pending = f.next();
    f.close();
    expect(await pending).toBeNull();
  });

  it('returns committed transactions only (read_committed), skipping aborted ones', async () => {
    const t = await topic(1);
    const producer = broker.kafka.producer({
      transactionalId: uniq('txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: t, messages: [{ value: 'no-1' }, { value: 'no-2' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic: t, messages: [{ value: 'yes' }] });
    await committed.commit();
    await producer.disconnect();
    const f = await open([{ topic: t, partition: 0, offset: 0 }]);
    try {
      // Offsets 0–1 aborted, 2 the abort marker, 3 the committed record, 4 its marker.
      expect(await collect(f, 1)).toEqual([`${t}:0:3=yes`]);
    } finally {
      f.close();
    }
  });

  it('refuses compressed batches with an error naming the codec', async () => {
    const t = await topic(1);
    const producer = broker.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: t,
      compression: CompressionTypes.GZIP,
      messages: [{ value: 'zipped' }],
    });
    await producer.disconnect();
    const f = await open([{ topic: t, partition: 0, offset: 0 }]);
    try {
      const err = await collect(f, 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedRecordsError);
      expect(String(err)).toMatch(/gzip-compressed/);
    } finally {
      f.close();
    }
  });

  it('fails next() with OFFSET_OUT_OF_RANGE for an offset past the end', async () => {
    const t = await topic(1);
    const f = await open([{ topic: t, partition: 0, offset: 1000 }]);
    try {
      const err = await f.next().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaFetchError);
      expect((err as KafkaFetchError).kafkaCode).toBe(1);
      expect(String(err)).toMatch(/OFFSET_OUT_OF_RANGE/);
    } finally {
      f.close();
    }
  });

  it('reconnects when its broker connection drops mid-read and still delivers every record once, in order', async () => {
    const t = await topic(3);
    const perPartition = 3000;
    const producer = broker.kafka.producer();
    await producer.connect();
    // Sends of 100 records per partition: many small batches, so the read takes many fetches.
    for (let from = 0; from < perPartition; from += 100)
      await producer.send({
        topic: t,
        messages: [0, 1, 2].flatMap((p) =>
          Array.from({ length: 100 }, (_, i) => ({
            partition: p,
            value: `v${String(p)}-${String(from + i)}`,
          })),
        ),
      });
    await producer.disconnect();
    const total = 3 * perPartition;
    const prefetch = 2;
    // Responses of at most 8 KiB (~170 KiB in the topic): at every drop below, most of the log
    // is still on the broker and can only arrive over a new connection.
    // The retries are logged: an operator sees them.
    const warnings: { msg: string; attempt: number }[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(line: Buffer, _enc, done) {
          warnings.push(JSON.parse(line.toString()) as { msg: string; attempt: number });
          done();
        },
      }),
    );
    const f = await PartitionFetcher.open({
      brokers: [brokerFor('eu')],
      clientId: uniq('fetch-test'),
      partitions: [0, 1, 2].map((partition) => ({ topic: t, partition, offset: 0 })),
      maxWaitMs: 100,
      maxBytes: 8192,
      partitionMaxBytes: 4096,
      prefetch,
      logger,
    });
    const inside = f as unknown as FetcherInternals;
    const liveLeg = () => inside.legs.find((l) => l.conn.usable);
    const fetched = () => [...inside.positions.values()].reduce((n, p) => n + p.offset, 0);
    // 'in-flight': closed with a fetch on the wire (fails that request); 'idle': closed while the
    // leg waits for the caller to make room (fails the next request before it is sent).
    const plan: { atRead: number; kind: 'in-flight' | 'idle' }[] = [
      { atRead: total * 0.2, kind: 'in-flight' },
      { atRead: total * 0.45, kind: 'idle' },
      { atRead: total * 0.7, kind: 'in-flight' },
    ];
    const dropped: { conn: BrokerConnection; fetchedBefore: number }[] = [];
    const drop = (conn: BrokerConnection): void => {
      dropped.push({ conn, fetchedBefore: fetched() });
      conn.close();
      plan.shift();
    };
    // Records lost in a reconnect would leave next() waiting forever: past the deadline, close the
    // fetcher so the read ends and the assertions below name what is missing.
    const deadline = setTimeout(() => {
      f.close();
    }, 30_000);
    try {
      const got = await collect(f, total, async (read) => {
        const step = plan[0];
        if (step === undefined || read < step.atRead) return;
        if (step.kind === 'in-flight') {
          // Right after a next() made room the leg has sent its next fetch; if not (it is still
          // reconnecting), try again after the next response.
          const leg = liveLeg();
          if (leg !== undefined && inFlight(leg.conn) > 0) drop(leg.conn);
          return;
        }
        const idle = await waitFor(
          () => {
            const leg = liveLeg();
            return leg !== undefined && leg.queued >= prefetch && inFlight(leg.conn) === 0
              ? leg
              : undefined;
          },
          { timeoutMs: 10_000, what: 'a leg with its prefetch queue full' },
        );
        drop(idle.conn);
      });

      const last = liveLeg();
      for (let p = 0; p < 3; p++)
        expect(got.filter((g) => g.startsWith(`${t}:${String(p)}:`))).toEqual(
          Array.from(
            { length: perPartition },
            (_, i) => `${t}:${String(p)}:${String(i)}=v${String(p)}-${String(i)}`,
          ),
        );
      expect(got).toHaveLength(total);
      expect(dropped.map((d) => d.conn.usable)).toEqual([false, false, false]);
      expect(new Set(dropped.map((d) => d.conn)).size).toBe(3);
      for (const d of dropped) expect(d.fetchedBefore).toBeLessThan(total);
      // The records fetched after the last drop came over a connection opened after it.
      expect(last).toBeDefined();
      expect(dropped.some((d) => d.conn === last?.conn)).toBe(false);
      expect(warnings.filter((w) => w.msg === 'fetch retry')).toHaveLength(3);
    } finally {
      clearTimeout(deadline);
      f.close();
    }
  });

  it('does not open on a topic that does not exist', async () => {
    await expect(
      open([{ topic: `${uniq('t')}-missing`, partition: 0, offset: 0 }], { retries: 2 }),
    ).rejects.toThrow(/UNKNOWN_TOPIC_OR_PARTITION/);
  });
});
