import type { Kafka } from 'kafkajs';
import {
  StreamConsumer,
  subscribe,
  type Logger,
  type Publisher,
  type ReplicationLagRecorder,
} from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import { Blocklist } from './domain/blocklist.js';
import { BudgetView } from './domain/budget.js';
import { CampaignIndex } from './domain/campaign-index.js';
import type { FxRates } from './domain/fx.js';
import type { BudgetViewOptions } from './domain/budget.js';

/** The bidder's local state, built only from streams. */
export interface Views {
  index: CampaignIndex;
  budget: BudgetView;
  blocklist: Blocklist;
  consumer: StreamConsumer;
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
}): Views {
  const { topics } = opts;
  const index = new CampaignIndex(opts.rates);
  const budget = new BudgetView(opts.budget);
  const blocklist = new Blocklist();
  const consumer = new StreamConsumer({
    kafka: opts.kafka,
    service: 'bidder',
    deadLetter: opts.deadLetter,
    deadLetterTopic: topics.deadLetter.name,
    logger: opts.logger.child({ module: 'views' }),
    ...(opts.replicationLag ? { replicationLag: opts.replicationLag } : {}),
    subscriptions: [
      subscribe({
        topic: topics.campaigns,
        includeRemotes: true,
        handle: (recs) => {
          for (const r of recs) {
            if (r.value) index.upsert(r.value);
            else if (r.key !== null) index.remove(r.key);
          }
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
          const now = Date.now();
          for (const r of recs) if (r.value) budget.applySpend(r.value, now);
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
    ],
  });
  return { index, budget, blocklist, consumer };
}
