import { setTimeout as sleep } from 'node:timers/promises';
import {
  AssignerProtocol,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type PartitionAssigner,
} from 'kafkajs';
import { decode, type ClickHouseClient, type Publisher } from '@streambid/adapters';
import { TOPICS, type TopicDef } from '@streambid/contracts';
import { CLICK_COLUMNS, IMPRESSION_COLUMNS, type FeatureExtractor } from '../domain/features.js';
import type { ModelTables } from '../schema/names.js';
import { decodeClick, parseClick } from './click-decode.js';
import { FastClickEncoder } from './click-fast.js';
import type { PartitionPlan, ReplayProgress } from './plan.js';
import { TableSink, type TableSinkOptions } from './sink.js';
import { clickLine, impressionLine, isPlainJson } from './tsv.js';

/** What every lane of one replay shares. */
export interface LaneContext {
  kafka: Kafka;
  ch: ClickHouseClient;
  tables: ModelTables;
  kindOf: ReadonlyMap<string, 'clicks' | 'impressions'>;
  features: FeatureExtractor;
  /** Event-time window [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  sink: TableSinkOptions;
  maxRate?: number;
  deadLetter?: { publisher: Publisher; topic: TopicDef };
  progress: ReplayProgress;
  log: { warn: (o: object, msg: string) => void };
  /** Reports an error that must stop the whole replay. */
  fail: (err: unknown) => void;
}

/** Messages decoded between two turns of the event loop. */
const YIELD_EVERY = 2048;
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const key = (topic: string, partition: number): string => `${topic}:${String(partition)}`;

/**
 * Gives the group's only member exactly `plans`' partitions. Each lane is a consumer group of one,
 * so its partitions never move to another lane (whose sink could then insert them out of order).
 */
function fixedAssigner(plans: readonly PartitionPlan[]): PartitionAssigner {
  const assignment: Record<string, number[]> = {};
  for (const p of plans) (assignment[p.topic] ??= []).push(p.partition);
  return () => ({
    name: 'ClickfraudReplayPlan',
    version: 1,
    assign: ({ members }) =>
      Promise.resolve(
        members.map((m, i) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: i === 0 ? assignment : {},
            userData: Buffer.alloc(0),
          }),
        })),
      ),
    protocol: ({ topics }) => ({
      name: 'ClickfraudReplayPlan',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.alloc(0),
      }),
    }),
  });
}

/**
 * One lane of a replay: a Kafka consumer for a fixed share of the partitions and its own
 * ClickHouse sinks. Lanes run side by side, so one lane decodes while another waits on a fetch or
 * an insert. Exactly-once holds per lane: a partition belongs to one lane, and each sink inserts
 * strictly in order.
 */
export class Lane {
  readonly sinks: { clicks: TableSink; impressions: TableSink };
  private readonly consumer: Consumer;
  private readonly planOf: Map<string, PartitionPlan>;
  private readonly open: Set<string>;
  private finish: () => void = () => undefined;
  private stopped: Promise<void> | undefined = undefined;
  private readonly fast: FastClickEncoder;
  /** Resolves when every partition of the lane reached its end offset (never when following). */
  readonly done: Promise<void>;

  constructor(
    private readonly ctx: LaneContext,
    private readonly plans: readonly PartitionPlan[],
    readonly groupId: string,
  ) {
    this.sinks = {
      clicks: new TableSink(ctx.ch, ctx.tables.clicks, CLICK_COLUMNS, ctx.sink),
      impressions: new TableSink(ctx.ch, ctx.tables.impressions, IMPRESSION_COLUMNS, ctx.sink),
    };
    this.fast = new FastClickEncoder(ctx.features);
    this.planOf = new Map(plans.map((p) => [key(p.topic, p.partition), p]));
    this.open = new Set(this.planOf.keys());
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.consumer = ctx.kafka.consumer({
      groupId,
      partitionAssigners: [fixedAssigner(plans)],
      // Moderate fetches: huge ones cost more per byte (fresh buffers, page faults) for no gain.
      maxBytes: 16 * 1024 * 1024,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 200,
      sessionTimeout: 30_000,
      allowAutoTopicCreation: false,
    });
  }

  get written(): number {
    return this.sinks.clicks.written + this.sinks.impressions.written;
  }

  /** Sets the group's offsets to the plan (a fresh group: no seek races), then starts consuming. */
  async start(): Promise<void> {
    const admin = this.ctx.kafka.admin();
    await admin.connect();
    try {
      for (const topic of new Set(this.plans.map((p) => p.topic)))
        await admin.setOffsets({
          groupId: this.groupId,
          topic,
          partitions: this.plans
            .filter((p) => p.topic === topic)
            .map((p) => ({ partition: p.partition, offset: p.start.toString() })),
        });
    } finally {
      await admin.disconnect();
    }
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...new Set(this.plans.map((p) => p.topic))],
      fromBeginning: true,
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => this.ctx.fail(e.payload.error));
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async (payload) => {
        try {
          await this.onBatch(payload);
        } catch (err) {
          this.ctx.fail(err);
          throw err;
        }
      },
    });
  }

  /** Starts due partial inserts and surfaces a failed insert. */
  async tick(): Promise<void> {
    await Promise.all([this.sinks.clicks.tick(), this.sinks.impressions.tick()]);
  }

  /** Stops consuming (the batch in hand finishes), then inserts everything buffered. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      try {
        await this.consumer.stop();
        await this.sinks.clicks.drain();
        await this.sinks.impressions.drain();
      } finally {
        await this.consumer.disconnect().catch(() => undefined);
      }
    })();
    return this.stopped;
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    pause,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const k = key(topic, partition);
    const plan = this.planOf.get(k);
    const kind = this.ctx.kindOf.get(topic);
    if (!plan || !kind || !this.open.has(k)) return;
    const { features, progress, fromMs, toMs } = this.ctx;
    const fast = this.fast;
    const { clicks, impressions } = this.sinks;
    const bad: { offset: string; value: string; reason: string }[] = [];
    const msgs = batch.messages;
    // Offsets rise within a batch: when its ends are inside the plan, so is every message.
    const lo = msgs[0] === undefined ? null : BigInt(msgs[0].offset);
    const hi = msgs.length === 0 ? null : BigInt(msgs[msgs.length - 1]?.offset ?? '0');
    const whole =
      lo !== null && hi !== null && lo >= plan.start && (plan.end === null || hi < plan.end);
    let last: string | undefined;
    let slice = 0;
    for (const m of msgs) {
      // Let socket I/O (an insert's upload, another lane's fetch) run during a long batch.
      if (++slice === YIELD_EVERY) {
        slice = 0;
        await yieldToIo();
      }
      if (!whole) {
        const off = BigInt(m.offset);
        if (off < plan.start) continue;
        if (plan.end !== null && off >= plan.end) break;
      }
      last = m.offset;
      progress.read++;
      const raw = m.value;
      if (raw === null) continue;
      if (kind === 'clicks') {
        const ts = fast.scan(raw);
        if (ts >= 0) {
          if (ts >= fromMs && ts < toMs) {
            clicks.reserve(FastClickEncoder.maxBytes(raw, topic, m.offset));
            const end = fast.write(raw, clicks.buffer, clicks.offset, topic, partition, m.offset);
            clicks.commit(end, topic, partition, m.offset);
          }
          continue;
        }
      }
      const src = { topic, partition, offset: m.offset };
      if (kind === 'clicks') {
        let e = parseClick(raw);
        if (e === null) {
          // Rejected on the fast path: zod decides, and names the reason.
          const d = decodeClick(raw);
          if (!d.ok) {
            bad.push({ offset: m.offset, value: raw.toString('utf8'), reason: d.reason });
            continue;
          }
          e = d.value;
        }
        // Offsets for times are approximate; the event time decides membership of the window.
        if (e.ts >= fromMs && e.ts < toMs)
          clicks.push(clickLine(features.click(e, src), isPlainJson(raw)), src);
      } else {
        const d = decode(TOPICS.impressions, raw);
        if (!d.ok) bad.push({ offset: m.offset, value: raw.toString('utf8'), reason: d.reason });
        else if (d.value.ts >= fromMs && d.value.ts < toMs)
          impressions.push(
            impressionLine(features.impression(d.value, src), isPlainJson(raw)),
            src,
          );
      }
    }
    if (bad.length > 0) await this.deadLetter(topic, partition, bad);
    await clicks.settle();
    await impressions.settle();
    if (last !== undefined) resolveOffset(last);
    const next = last === undefined ? null : BigInt(last) + 1n;
    if (plan.end !== null && next !== null && next >= plan.end) {
      this.open.delete(k);
      pause();
      if (this.open.size === 0) this.finish();
    }
    await this.throttle();
    await heartbeat();
  }

  private async throttle(): Promise<void> {
    const { maxRate, progress } = this.ctx;
    if (maxRate === undefined) return;
    const due = (progress.read / maxRate) * 1000 - (Date.now() - progress.startedAt);
    if (due > 0) await sleep(due);
  }

  private async deadLetter(
    topic: string,
    partition: number,
    bad: { offset: string; value: string; reason: string }[],
  ): Promise<void> {
    this.ctx.progress.invalid += bad.length;
    this.ctx.log.warn(
      { topic, partition, count: bad.length, reason: bad[0]?.reason },
      'invalid messages',
    );
    const dl = this.ctx.deadLetter;
    if (!dl) return;
    const now = Date.now();
    await dl.publisher.publish(
      dl.topic,
      bad.map((b) => ({
        // Deterministic id: a resumed replay re-reporting the same message is recognisable.
        eventId: `${topic}:${String(partition)}:${b.offset}`,
        ts: now,
        service: 'clickfraud',
        sourceTopic: topic,
        partition,
        offset: b.offset,
        key: null,
        value: b.value.slice(0, 65_536),
        reason: b.reason,
      })),
    );
  }
}
