import { setTimeout as sleep } from 'node:timers/promises';
import {
  decode,
  PartitionFetcher,
  RecordCursor,
  type ClickHouseClient,
  type FetchedPartition,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import { TOPICS, type TopicDef } from '@streambid/contracts';
import { CLICK_COLUMNS, IMPRESSION_COLUMNS, type FeatureExtractor } from '../domain/features.js';
import type { ModelTables } from '../schema/names.js';
import { decodeClick, parseClick } from './click-decode.js';
import { FastClickEncoder } from './click-fast.js';
import type { PartitionPlan, ReplayProgress } from './plan.js';
import { TableSink, type TableSinkOptions } from './sink.js';
import {
  BID_COLUMNS,
  bidLine,
  LOSS_COLUMNS,
  lossLine,
  WIN_COLUMNS,
  winLine,
} from './delivery-rows.js';
import { SPEND_COLUMNS, spendLine } from './spend-row.js';
import { clickLine, impressionLine, isPlainJson } from './tsv.js';

/** What every lane of one replay shares. */
export interface LaneContext {
  /** Bootstrap brokers (`host:port`) of the cluster the topics live in. */
  brokers: readonly string[];
  clientId: string;
  ch: ClickHouseClient;
  tables: ModelTables;
  /** The spend ledger table (`schema/ledger.ts`), when spend topics are replayed. */
  spendTable?: string;
  kindOf: ReadonlyMap<string, ReplayKind>;
  /**
   * The name stored in `src_topic` for a physical topic read from another region's own cluster
   * (bids are never replicated: `us`'s are read from its cluster and stored as `us.bids`), so
   * positions of two clusters' same-named topics never mix. Absent: the physical name.
   */
  srcTopicOf?: ReadonlyMap<string, string>;
  features: FeatureExtractor;
  /** Event-time window [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  sink: TableSinkOptions;
  maxRate?: number;
  deadLetter?: { publisher: Publisher; topic: TopicDef };
  progress: ReplayProgress;
  log: Logger;
  /** Reports an error that must stop the whole replay. */
  fail: (err: unknown) => void;
}

/**
 * The streams a replay loads: clicks and impressions (fraud and delivery) and bids, wins and
 * losses (delivery) into a model version, spend into the ledger.
 */
export type ReplayKind = 'clicks' | 'impressions' | 'spend' | DeliveryKind;
/** The delivery streams beside clicks and impressions (`schema/delivery.ts`). */
export type DeliveryKind = 'bids' | 'wins' | 'losses';

const DELIVERY_KINDS: readonly DeliveryKind[] = ['bids', 'wins', 'losses'];

/** A bid, win or loss record validated by its topic's schema and encoded as a table line. */
function decodeDelivery(
  kind: DeliveryKind,
  raw: Buffer,
  src: { topic: string; partition: number; offset: string },
): { ok: true; ts: number; line: string } | { ok: false; reason: string } {
  if (kind === 'bids') {
    const d = decode(TOPICS.bids, raw);
    return d.ok ? { ok: true, ts: d.value.ts, line: bidLine(d.value, src) } : d;
  }
  if (kind === 'wins') {
    const d = decode(TOPICS.wins, raw);
    return d.ok ? { ok: true, ts: d.value.ts, line: winLine(d.value, src) } : d;
  }
  const d = decode(TOPICS.losses, raw);
  return d.ok ? { ok: true, ts: d.value.ts, line: lossLine(d.value, src) } : d;
}

/** Messages decoded between two turns of the event loop. */
const YIELD_EVERY = 2048;
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const key = (topic: string, partition: number): string => `${topic}:${String(partition)}`;

/**
 * One lane of a replay: a {@link PartitionFetcher} over a fixed share of the partitions, from the
 * planned offsets, and its own ClickHouse sinks. No consumer group: positions live in ClickHouse
 * beside the rows, so there is nothing to join, commit or clean up, and a partition can never move
 * to another lane (whose sink could then insert it out of order). The fetcher keeps the next fetch
 * on the wire while this lane decodes, and lanes run side by side, so one decodes while another
 * waits on an insert. Exactly-once holds per lane: each sink inserts strictly in order.
 */
export class Lane {
  readonly sinks: {
    clicks: TableSink;
    impressions: TableSink;
    spend: TableSink | null;
    bids: TableSink;
    wins: TableSink;
    losses: TableSink;
  };
  private fetcher: PartitionFetcher | undefined = undefined;
  private running: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly planOf: Map<string, PartitionPlan>;
  private readonly open: Set<string>;
  private finish: () => void = () => undefined;
  private stopped: Promise<void> | undefined = undefined;
  private readonly fast: FastClickEncoder;
  private readonly cursor = new RecordCursor();
  /**
   * Records between two turns of the event loop. Under `maxRate` also between two throttle checks,
   * about 20 ms of records: one fetch response can hold the whole history, so a check per response
   * would not hold the rate.
   */
  private readonly slice: number;
  /** Resolves when every partition of the lane reached its end offset (never when following). */
  readonly done: Promise<void>;

  constructor(
    private readonly ctx: LaneContext,
    private readonly plans: readonly PartitionPlan[],
  ) {
    this.sinks = {
      clicks: new TableSink(ctx.ch, ctx.tables.clicks, CLICK_COLUMNS, ctx.sink),
      impressions: new TableSink(ctx.ch, ctx.tables.impressions, IMPRESSION_COLUMNS, ctx.sink),
      spend:
        ctx.spendTable === undefined
          ? null
          : new TableSink(ctx.ch, ctx.spendTable, SPEND_COLUMNS, ctx.sink),
      bids: new TableSink(ctx.ch, ctx.tables.bids, BID_COLUMNS, ctx.sink),
      wins: new TableSink(ctx.ch, ctx.tables.wins, WIN_COLUMNS, ctx.sink),
      losses: new TableSink(ctx.ch, ctx.tables.losses, LOSS_COLUMNS, ctx.sink),
    };
    this.fast = new FastClickEncoder(ctx.features);
    this.slice =
      ctx.maxRate === undefined
        ? YIELD_EVERY
        : Math.max(1, Math.min(YIELD_EVERY, Math.floor(ctx.maxRate / 50)));
    this.planOf = new Map(plans.map((p) => [key(p.topic, p.partition), p]));
    this.open = new Set(this.planOf.keys());
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  get written(): number {
    const s = this.sinks;
    return (
      s.clicks.written +
      s.impressions.written +
      (s.spend?.written ?? 0) +
      s.bids.written +
      s.wins.written +
      s.losses.written
    );
  }

  /** Connects to the partition leaders and starts reading from the planned offsets. */
  async start(): Promise<void> {
    this.fetcher = await PartitionFetcher.open({
      brokers: this.ctx.brokers,
      clientId: this.ctx.clientId,
      partitions: this.plans.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        offset: Number(p.start),
      })),
      // Moderate fetches: huge ones cost more per byte (fresh buffers, page faults) for no gain.
      maxBytes: 16 * 1024 * 1024,
      partitionMaxBytes: 2 * 1024 * 1024,
      maxWaitMs: 200,
      logger: this.ctx.log,
    });
    if (this.stopping) this.fetcher.close();
    this.running = this.consume(this.fetcher).catch((err: unknown) => {
      this.ctx.fail(err);
    });
  }

  /** Starts due partial inserts and surfaces a failed insert. */
  async tick(): Promise<void> {
    await Promise.all([
      this.sinks.clicks.tick(),
      this.sinks.impressions.tick(),
      this.sinks.spend?.tick(),
      this.sinks.bids.tick(),
      this.sinks.wins.tick(),
      this.sinks.losses.tick(),
    ]);
  }

  /** Stops reading (the response in hand finishes), then inserts everything buffered. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.fetcher?.close();
      await this.running;
      await this.sinks.clicks.drain();
      await this.sinks.impressions.drain();
      await this.sinks.spend?.drain();
      for (const k of DELIVERY_KINDS) await this.sinks[k].drain();
    })();
    return this.stopped;
  }

  private async consume(fetcher: PartitionFetcher): Promise<void> {
    for (;;) {
      const parts = await fetcher.next();
      if (parts === null || this.stopping) return;
      for (const p of parts) await this.onPartition(p, fetcher);
      await this.throttle();
    }
  }

  private async onPartition(fp: FetchedPartition, fetcher: PartitionFetcher): Promise<void> {
    const { topic, partition } = fp;
    const k = key(topic, partition);
    const plan = this.planOf.get(k);
    const kind = this.ctx.kindOf.get(topic);
    if (!plan || !kind || !this.open.has(k)) return;
    const { features, progress, fromMs, toMs } = this.ctx;
    const fast = this.fast;
    const { clicks, impressions, spend } = this.sinks;
    const storedTopic = this.ctx.srcTopicOf?.get(topic) ?? topic;
    const bad: { offset: string; value: string; reason: string }[] = [];
    const start = Number(plan.start);
    const end = plan.end === null ? Number.POSITIVE_INFINITY : Number(plan.end);
    const c = this.cursor.reset(
      topic,
      partition,
      fp.records,
      fp.abortedTransactions,
      fp.fetchOffset,
    );
    let reachedEnd = false;
    let slice = 0;
    while (c.next()) {
      // Let socket I/O (an insert's upload, another lane's fetch) run during a long response.
      if (++slice === this.slice) {
        slice = 0;
        await yieldToIo();
        await this.throttle();
      }
      const off = c.offset;
      if (off < start) continue;
      if (off >= end) {
        reachedEnd = true;
        break;
      }
      progress.read++;
      const raw = c.value;
      if (raw === null) continue;
      const offset = String(off);
      if (kind === 'clicks') {
        const ts = fast.scan(raw);
        if (ts >= 0) {
          if (ts >= fromMs && ts < toMs) {
            clicks.reserve(FastClickEncoder.maxBytes(raw, topic, offset));
            const at = fast.write(raw, clicks.buffer, clicks.offset, topic, partition, offset);
            clicks.commit(at, topic, partition, offset);
          }
          continue;
        }
      }
      const src = { topic, partition, offset };
      if (kind === 'clicks') {
        let e = parseClick(raw);
        if (e === null) {
          // Rejected on the fast path: zod decides, and names the reason.
          const d = decodeClick(raw);
          if (!d.ok) {
            bad.push({ offset, value: raw.toString('utf8'), reason: d.reason });
            continue;
          }
          e = d.value;
        }
        // Offsets for times are approximate; the event time decides membership of the window.
        if (e.ts >= fromMs && e.ts < toMs)
          clicks.push(clickLine(features.click(e, src), isPlainJson(raw)), src);
      } else if (kind === 'bids' || kind === 'wins' || kind === 'losses') {
        const at = { topic: storedTopic, partition, offset };
        const d = decodeDelivery(kind, raw, at);
        if (!d.ok) bad.push({ offset, value: raw.toString('utf8'), reason: d.reason });
        else if (d.ts >= fromMs && d.ts < toMs) this.sinks[kind].push(d.line, at);
      } else if (kind === 'spend') {
        const d = decode(TOPICS.spend, raw);
        if (!d.ok) bad.push({ offset, value: raw.toString('utf8'), reason: d.reason });
        else if (spend && d.value.ts >= fromMs && d.value.ts < toMs)
          spend.push(spendLine(d.value, src), src);
      } else {
        const d = decode(TOPICS.impressions, raw);
        if (!d.ok) bad.push({ offset, value: raw.toString('utf8'), reason: d.reason });
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
    await spend?.settle();
    for (const k of DELIVERY_KINDS) await this.sinks[k].settle();
    // Transaction markers hold offsets too: the position after the last batch decides the end.
    if (reachedEnd || (c.nextOffset >= 0 && c.nextOffset >= end)) {
      this.open.delete(k);
      fetcher.remove(topic, partition);
      if (this.open.size === 0) this.finish();
    }
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
