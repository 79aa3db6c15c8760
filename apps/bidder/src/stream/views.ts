import { createHash } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  Registry,
  StreamConsumer,
  subscribe,
  type ConsumedRecord,
  type Counter,
  type Logger,
  type Publisher,
  type ReplicationLagRecorder,
} from '@streambid/adapters';
import { cut, LIMITS, type Campaign, type Catalogue, type DeadLetter } from '@streambid/contracts';
import { Blocklist } from '../domain/blocklist.js';
import { BudgetView } from '../domain/budget.js';
import { CampaignIndex, type CampaignRefusal } from '../domain/campaign-index.js';
import type { FxRates } from '../domain/fx.js';
import type { BudgetViewOptions } from '../domain/budget.js';
import { createCampaignRefusalCounter } from '../metrics.js';
import type { SellersDirectory } from '../domain/sellers.js';
import { ReferenceView } from './reference.js';

/** The bidder's local state, built only from streams. */
export interface Views {
  index: CampaignIndex;
  budget: BudgetView;
  blocklist: Blocklist;
  consumer: StreamConsumer;
  /**
   * `bidder_campaigns_refused_total{reason}`: campaigns not indexed (and dead-lettered). Always
   * set by {@link createViews}; optional so views assembled by hand (fuzzers, benches) need none.
   */
  campaignsRefused?: Counter<'reason'>;
  /**
   * Reference data from the `reference-*` topics (bot rules, data-centre ranges, sellers lists)
   * and the versions in force. Always set by {@link createViews}.
   */
  reference?: ReferenceView;
}

/** What of a refused campaign's value and key goes into its dead letter, in code units. */
const DEAD_LETTER_VALUE = 65_536;
const DEAD_LETTER_KEY = 4096;

/**
 * The dead letter of a campaign the index refused. The consumer only hands over the decoded
 * value, so the value is that re-encoded (defaults filled in), and cut: partition and offset find
 * the original. The event id is the message's position, so every replay of it shares one id.
 */
function refusalRecord(r: ConsumedRecord<Campaign>, no: CampaignRefusal): DeadLetter {
  const value = JSON.stringify(r.value);
  const kept = cut(value, DEAD_LETTER_VALUE);
  const at = `${r.topic}:${String(r.partition)}:${r.offset}`;
  return {
    eventId: at.length <= LIMITS.eventId ? at : createHash('sha256').update(at).digest('hex'),
    ts: Date.now(),
    service: 'bidder',
    sourceTopic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: r.key === null ? null : cut(r.key, DEAD_LETTER_KEY),
    value: kept,
    reason: `refused by the campaign index (${no.reason}): ${no.message}; value re-encoded from the decoded campaign${kept.length < value.length ? `, first ${String(kept.length)} of ${String(value.length)} characters` : ''}`,
  };
}

async function publishEach(
  publisher: Publisher,
  topic: Catalogue['deadLetter'],
  records: readonly DeadLetter[],
): Promise<void> {
  for (const r of records) await publisher.publish(topic, [r]);
}

/**
 * Wires the views to a private consumer (no group offsets: every start re-reads the compacted
 * topics from the beginning, then follows). Campaigns include remote copies from other regions.
 */
export function createViews(opts: {
  kafka: Kafka;
  topics: Catalogue;
  rates: FxRates;
  budget: BudgetViewOptions;
  deadLetter: Publisher;
  logger: Logger;
  /** Records arrival − event time of remote copies for `/metrics`. */
  replicationLag?: ReplicationLagRecorder;
  /**
   * Where the views' own metrics (`bidder_campaigns_refused_total`) are registered; without it
   * they are counted on {@link Views} but not exported.
   */
  registry?: Registry;
  /** The sellers lists from `BIDDER_SELLERS_JSON`: in force until a topic version replaces one. */
  sellers?: SellersDirectory | undefined;
}): Views {
  const { topics } = opts;
  const log = opts.logger.child({ module: 'views' });
  const index = new CampaignIndex(opts.rates);
  const campaignsRefused = createCampaignRefusalCounter(opts.registry ?? new Registry());
  const budget = new BudgetView(opts.budget);
  const blocklist = new Blocklist();
  const reference = new ReferenceView(opts.sellers, log);
  const consumer = new StreamConsumer({
    kafka: opts.kafka,
    service: 'bidder',
    deadLetter: opts.deadLetter,
    deadLetterTopic: topics.deadLetter.name,
    logger: log,
    ...(opts.replicationLag ? { replicationLag: opts.replicationLag } : {}),
    subscriptions: [
      subscribe({
        topic: topics.campaigns,
        includeRemotes: true,
        handle: (recs) => {
          let refused: DeadLetter[] | undefined;
          for (const r of recs) {
            if (r.value) {
              const no = index.upsert(r.value);
              if (!no) continue;
              campaignsRefused.inc({ reason: no.reason });
              log.warn({ campaignId: r.value.id, reason: no.reason }, no.message);
              (refused ??= []).push(refusalRecord(r, no));
            } else if (r.key !== null) index.remove(r.key);
          }
          // Only a batch with a refusal waits for the broker. One record per send: each is at
          // most ~400 KB on the wire (65,536 code units, JSON-escaped), so a send fits the
          // broker's 1 MiB. If a send fails, the consumer retries the batch (upserts are
          // idempotent) or dead-letters it with the error.
          return refused && publishEach(opts.deadLetter, topics.deadLetter, refused);
        },
      }),
      subscribe({
        // Allowances for campaigns homed elsewhere arrive as remote copies (`eu.budget` in us).
        topic: topics.budget,
        includeRemotes: true,
        handle: (recs) => {
          const now = Date.now();
          for (const r of recs) {
            if (r.value) budget.applyAllowance(r.value, now);
            else if (r.key !== null) budget.removeAllowance(r.key);
          }
        },
      }),
      subscribe({
        topic: topics.spend,
        handle: (recs) => {
          for (const r of recs) if (r.value) budget.applySpend(r.value);
        },
      }),
      subscribe({
        // This region's totals are written here by its inventory: the spend before their cut.
        topic: topics.spendTotals,
        handle: (recs) => {
          for (const r of recs) if (r.value) budget.applyTotal(r.value);
        },
      }),
      subscribe({
        // The analytics region publishes the blocklist; every region reads its remote copy.
        topic: topics.fraudBlocklist,
        includeRemotes: true,
        handle: (recs) => {
          for (const r of recs) {
            if (r.value) blocklist.apply(r.value);
            else if (r.key !== null) blocklist.remove(r.key);
          }
        },
      }),
      // Reference data is published in one region and replicated to the others. A version
      // the reader refuses (a malformed CIDR) throws, and the consumer dead-letters it.
      subscribe({
        topic: topics.referenceBots,
        includeRemotes: true,
        handle: (recs) => reference.applyBots(recs),
      }),
      subscribe({
        topic: topics.referenceDatacentre,
        includeRemotes: true,
        handle: (recs) => reference.applyDatacentre(recs),
      }),
      subscribe({
        topic: topics.referenceSellers,
        includeRemotes: true,
        handle: (recs) => reference.applySellers(recs),
      }),
    ],
  });
  return { index, budget, blocklist, consumer, campaignsRefused, reference };
}
