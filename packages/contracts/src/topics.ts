import {
  bidSchema,
  billingAckSchema,
  blocklistEntrySchema,
  botRulesSchema,
  budgetAllowanceSchema,
  campaignSchema,
  clickSchema,
  datacentreRangesSchema,
  deadLetterSchema,
  impressionSchema,
  lossSchema,
  referenceKey,
  sellersListSchema,
  spendSchema,
  spendTotalSchema,
  userEventSchema,
  winSchema,
} from './events.js';
import { defineTopic, namespaced, type TopicDef } from './topic.js';

const DAY = 86_400_000;

/** The topic catalogue: one definition (and one schema) per stream. */
export const TOPICS = {
  campaigns: defineTopic({
    name: 'campaigns',
    schema: campaignSchema,
    keyOf: (c) => c.id,
    partitions: 4,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description: 'Campaigns and line items; the source of truth (key: campaign id).',
  }),
  budget: defineTopic({
    name: 'budget',
    schema: budgetAllowanceSchema,
    keyOf: (b) => `${b.campaignId}:${b.region}`,
    partitions: 4,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description: 'Per campaign per region spend allowance (key: campaignId:region).',
  }),
  spend: defineTopic({
    name: 'spend',
    schema: spendSchema,
    keyOf: (s) => s.campaignId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 30 * DAY,
    replicate: 'all',
    description: 'Billed wins, once per bid id (key: campaign id).',
  }),
  spendTotals: defineTopic({
    name: 'spend-totals',
    schema: spendTotalSchema,
    keyOf: (t) => `${t.campaignId}:${t.region}`,
    partitions: 4,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description:
      'Cumulative spend per campaign per region up to a cut time (key: campaignId:region); outlives spend retention.',
  }),
  billingAcks: defineTopic({
    name: 'billing-acks',
    schema: billingAckSchema,
    keyOf: (a) => `${a.instance}:${String(a.minute)}`,
    partitions: 2,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'none',
    description:
      'Billing notices each bidder process answered "billed", per minute (key: instance:minute).',
  }),
  bids: defineTopic({
    name: 'bids',
    schema: bidSchema,
    keyOf: (b) => b.requestId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 7 * DAY,
    replicate: 'none',
    description: 'Bids sent (key: request id).',
  }),
  wins: defineTopic({
    name: 'wins',
    schema: winSchema,
    keyOf: (w) => w.bidId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 30 * DAY,
    replicate: 'analytics',
    description: 'Win notices (key: bid id).',
  }),
  losses: defineTopic({
    name: 'losses',
    schema: lossSchema,
    keyOf: (l) => l.bidId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 30 * DAY,
    replicate: 'analytics',
    description: 'Loss notices with the reason code (key: bid id).',
  }),
  impressions: defineTopic({
    name: 'impressions',
    schema: impressionSchema,
    keyOf: (i) => i.userId ?? i.bidId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 90 * DAY,
    replicate: 'analytics',
    description: 'Rendered impressions (key: user id, else bid id).',
  }),
  clicks: defineTopic({
    name: 'clicks',
    schema: clickSchema,
    keyOf: (c) => c.userId ?? c.bidId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 90 * DAY,
    replicate: 'analytics',
    description: 'Clicks (key: user id, else bid id).',
  }),
  userEvents: defineTopic({
    name: 'user-events',
    schema: userEventSchema,
    keyOf: (u) => u.userId,
    partitions: 8,
    cleanup: 'delete',
    retentionMs: 30 * DAY,
    replicate: 'none',
    description: 'Page views, data-provider segments and opt-outs (key: user id).',
  }),
  fraudBlocklist: defineTopic({
    name: 'fraud-blocklist',
    schema: blocklistEntrySchema,
    keyOf: (b) => `${b.kind}:${b.value}`,
    partitions: 2,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description:
      'Blocked IPs, subnets, sites, publishers and cookies, with expiry (key: kind:value).',
  }),
  // Reference data: one version per key, so compaction keeps the history a replay needs (a
  // version leaves only when it is retired with a tombstone). One partition: small and ordered.
  referenceBots: defineTopic({
    name: 'reference-bots',
    schema: botRulesSchema,
    keyOf: (r) => referenceKey(r.version),
    partitions: 1,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description: 'Versions of the bot user-agent rules beyond isbot (key: v<version>).',
  }),
  referenceDatacentre: defineTopic({
    name: 'reference-datacentre',
    schema: datacentreRangesSchema,
    keyOf: (r) => referenceKey(r.version),
    partitions: 1,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description: 'Versions of the data-centre IP ranges, IPv4 and IPv6 (key: v<version>).',
  }),
  referenceSellers: defineTopic({
    name: 'reference-sellers',
    schema: sellersListSchema,
    keyOf: (r) => referenceKey(r.version, r.asi.toLowerCase()),
    partitions: 1,
    cleanup: 'compact',
    retentionMs: -1,
    replicate: 'all',
    description: "Versions of each ad system's sellers.json list (key: <asi>:v<version>).",
  }),
  deadLetter: defineTopic({
    name: 'dead-letter',
    schema: deadLetterSchema,
    keyOf: (d) => d.key ?? d.eventId,
    partitions: 2,
    cleanup: 'delete',
    retentionMs: 30 * DAY,
    replicate: 'none',
    description: 'Messages that failed validation, with the reason.',
  }),
} as const;

export type TopicKey = keyof typeof TOPICS;
export const TOPIC_LIST = Object.values(TOPICS);

export type Catalogue = typeof TOPICS;

/** The whole catalogue under a namespace prefix (`TOPIC_NAMESPACE`; unique per test). */
export function catalogue(namespace = ''): Catalogue {
  if (namespace === '') return TOPICS;
  const out: Record<string, TopicDef> = {};
  for (const [k, t] of Object.entries(TOPICS)) out[k] = namespaced(t as TopicDef, namespace);
  return out as unknown as Catalogue;
}
