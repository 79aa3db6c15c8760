import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  Counter,
  Gauge,
  StreamConsumer,
  subscribe,
  type Logger,
  type Publisher,
  type Registry,
} from '@streambid/adapters';
import type { BillingAck, Catalogue, Region } from '@streambid/contracts';
import { TtlSet } from '../domain/lru.js';

/**
 * Whether a notice may bill its bid now:
 * - `claimed`: yes; settle the claim when the spend is acknowledged (or failed);
 * - `billed`: its spend is in the log already (answer "duplicate");
 * - `busy`: another notice for it is being billed (answer 503: retry; never "duplicate" before
 *   the spend is written);
 * - `starting`: the billed bids are still being read back from the spend streams (503: retry).
 */
/** What a billing notice was answered "billed" for. */
export interface BilledSpend {
  /** Event time of the spend (ms since epoch): the acks count it in this minute. */
  ts: number;
  cpmMicros: number;
  amountMicros: number;
}

export type Claim = 'claimed' | 'billed' | 'busy' | 'starting';

/**
 * The billed bids of the last notice window, one set per process, rebuilt at start from the
 * spend streams (this region's and the replicated copies of the others'), so a duplicate notice
 * gets the same answer after a restart, on another worker or in another region. A notice older
 * than the window is refused as expired before it gets here, so the set only needs the window.
 */
export class BillingLedger {
  private readonly billed: TtlSet;
  private readonly inFlight = new Set<string>();
  /** The spend streams have been read up to their end as of start-up. */
  ready = false;

  constructor(
    maxSize: number,
    ttlMs: number,
    private readonly acks?: AckCounter,
  ) {
    this.billed = new TtlSet(maxSize, ttlMs);
  }

  claim(bidId: string, now: number): Claim {
    if (!this.ready) return 'starting';
    if (this.billed.has(bidId, now)) return 'billed';
    if (this.inFlight.has(bidId)) return 'busy';
    this.inFlight.add(bidId);
    return 'claimed';
  }

  settle(bidId: string, billed: BilledSpend | undefined, now: number): void {
    this.inFlight.delete(bidId);
    if (!billed) return;
    this.billed.add(bidId, now);
    this.acks?.add(billed);
  }

  /** A spend event read from a spend stream (ours or another region's), billed at `ts`. */
  markBilled(bidId: string, ts: number): void {
    this.billed.add(bidId, ts);
  }

  /** Billed bids forgotten before their window ended because the set was full. */
  get evictions(): number {
    return this.billed.evictedEarly;
  }

  get size(): number {
    return this.billed.size;
  }
}

const MINUTE = 60_000;

/**
 * Billing notices answered "billed" by this process, per minute of the spend's event time: what
 * the exchanges were told, kept apart from the spend stream for reconciliation.
 */
export class AckCounter {
  private readonly minutes = new Map<
    number,
    { acked: number; ackedMicros: number; ackedCpmMicros: number }
  >();
  private readonly dirty = new Set<number>();

  constructor(
    readonly instance: string,
    private readonly region: Region,
  ) {}

  add(s: BilledSpend): void {
    const minute = Math.floor(s.ts / MINUTE) * MINUTE;
    const m = this.minutes.get(minute) ?? { acked: 0, ackedMicros: 0, ackedCpmMicros: 0 };
    m.acked++;
    m.ackedMicros += s.amountMicros;
    m.ackedCpmMicros += s.cpmMicros;
    this.minutes.set(minute, m);
    this.dirty.add(minute);
  }

  /** The minutes that changed since the last call, each with its cumulative counts. */
  changed(now: number): BillingAck[] {
    const out: BillingAck[] = [];
    for (const minute of this.dirty) {
      const m = this.minutes.get(minute);
      if (!m) continue;
      out.push({
        eventId: `${this.instance}:${String(minute)}:${String(m.acked)}`,
        ts: now,
        region: this.region,
        instance: this.instance,
        minute,
        ...m,
      });
    }
    this.dirty.clear();
    // Minutes long past no longer change: their last record is in the compacted topic.
    for (const minute of this.minutes.keys())
      if (minute < now - 60 * MINUTE && !this.dirty.has(minute)) this.minutes.delete(minute);
    return out;
  }

  /** Puts records back for the next round (their publish failed). */
  retry(records: readonly BillingAck[]): void {
    for (const r of records) this.dirty.add(r.minute);
  }
}

/** The billing side of one bidder process: the ledger, the stream feeding it, the ack writer. */
export interface Billing {
  ledger: BillingLedger;
  /** Resolves once the spend streams were read up to their end as of start-up. */
  caughtUp: Promise<void>;
  consumer: StreamConsumer;
  /** Writes the last acks and stops. */
  close(): Promise<void>;
}

/** Options of {@link startBilling}. */
export interface BillingOptions {
  kafka: Kafka;
  topics: Catalogue;
  region: Region;
  /** Acknowledged producer for the billing acks (and dead letters). */
  publisher: Publisher;
  logger: Logger;
  registry: Registry;
  /** Billed bids remembered (`BIDDER_WIN_DEDUPE_SIZE`). */
  maxSize: number;
  /** How long a notice stays valid (`BIDDER_NOTICE_TTL_S`), ms. */
  windowMs: number;
  /** How often the acks are written. @default 1000 */
  ackIntervalMs?: number;
}

/**
 * Starts the ledger: reads every spend stream from the start of the notice window (a private
 * view; the compacted topics are not needed: spend older than the window cannot be billed again)
 * and writes the acks every second.
 */
export async function startBilling(o: BillingOptions): Promise<Billing> {
  const log = o.logger.child({ module: 'billing' });
  const acks = new AckCounter(randomBytes(6).toString('hex'), o.region);
  // A little past the window: a notice at the very end of it still finds its bid.
  const ledger = new BillingLedger(o.maxSize, o.windowMs + 60_000, acks);
  const consumer = new StreamConsumer({
    kafka: o.kafka,
    service: 'bidder-billing',
    deadLetter: o.publisher,
    deadLetterTopic: o.topics.deadLetter.name,
    logger: log,
    subscriptions: [
      subscribe({
        topic: o.topics.spend,
        includeRemotes: true,
        handle: (recs) => {
          // Older spend cannot be billed again: its notices have expired.
          const from = Date.now() - o.windowMs;
          for (const r of recs)
            if (r.value && r.value.ts >= from) ledger.markBilled(r.value.bidId, r.value.ts);
        },
      }),
    ],
  });
  new Gauge({
    name: 'bidder_billing_ledger_bids',
    help: 'Billed bids remembered for the notice window (duplicate notices)',
    registers: [o.registry],
    collect() {
      this.set(ledger.size);
    },
  });
  const evicted = new Counter({
    name: 'bidder_billing_dedupe_evictions_total',
    help: 'Billed bids forgotten before their notice window ended (BIDDER_WIN_DEDUPE_SIZE too small)',
    registers: [o.registry],
  });
  let lastEvicted = 0;
  await consumer.start();
  const caughtUp = consumer.caughtUp.then(() => {
    ledger.ready = true;
    log.info({ billed: ledger.size }, 'billed bids read back from the spend streams');
  });

  let writing: Promise<void> = Promise.resolve();
  const write = (): Promise<void> => {
    writing = writing.then(async () => {
      if (ledger.evictions > lastEvicted) evicted.inc(ledger.evictions - lastEvicted);
      lastEvicted = ledger.evictions;
      const records = acks.changed(Date.now());
      if (records.length === 0) return;
      try {
        await o.publisher.publish(o.topics.billingAcks, records);
      } catch (err) {
        acks.retry(records);
        log.warn({ err }, 'billing acks not written; retrying');
      }
    });
    return writing;
  };
  const timer = setInterval(() => void write(), o.ackIntervalMs ?? 1000);
  timer.unref();
  return {
    ledger,
    caughtUp,
    consumer,
    close: async () => {
      clearInterval(timer);
      await write();
      await consumer.stop();
    },
  };
}
