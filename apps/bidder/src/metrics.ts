import { Counter, Gauge, Histogram, sharedCounter, type Registry } from '@streambid/adapters';

/** Everything the bidder exports on `/metrics`, registered on one registry per worker. */
export interface BidderMetrics extends EventMetrics {
  requests: Counter<'code'>;
  bids: Counter;
  noBids: Counter<'reason'>;
  prebidIvt: Counter<'reason'>;
  privacyRules: Counter<'rule' | 'outcome'>;
  latency: Histogram;
  profileLookups: Counter<'result'>;
  trackers: Counter<'kind' | 'outcome'>;
  losses: Counter<'reason'>;
  viewLag: Gauge<'topic'>;
  viewReady: Gauge;
  campaigns: Gauge;
  allowances: Gauge;
  blocklist: Gauge;
}

export function createBidderMetrics(registry: Registry): BidderMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'bidder_requests_total',
      help: 'Bid requests answered, by HTTP status',
      labelNames: ['code'],
      registers,
    }),
    bids: new Counter({
      name: 'bidder_bids_total',
      help: 'Bids sent (one per impression)',
      registers,
    }),
    noBids: new Counter({
      name: 'bidder_nobids_total',
      help: 'Bid requests answered 204, by reason',
      labelNames: ['reason'],
      registers,
    }),
    prebidIvt: new Counter({
      name: 'bidder_prebid_ivt_total',
      help: 'Bid requests a pre-bid invalid-traffic check caught (refused or bid with a flag), by reason',
      labelNames: ['reason'],
      registers,
    }),
    privacyRules: new Counter({
      name: 'bidder_privacy_total',
      help: 'Bid requests answered, by the privacy rule that decided (docs/privacy.md) and outcome',
      labelNames: ['rule', 'outcome'],
      registers,
    }),
    latency: new Histogram({
      name: 'bidder_request_duration_seconds',
      help: 'Time from request arrival to response, bid endpoint',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    profileLookups: new Counter({
      name: 'bidder_profile_lookups_total',
      help: 'Cookie profile reads, by result (found, missing, optedOut, timeout, error, skipped)',
      labelNames: ['result'],
      registers,
    }),
    trackers: new Counter({
      name: 'bidder_tracker_requests_total',
      help: 'Tracker hits (win, bill, loss, imp, click) by outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    losses: new Counter({
      name: 'bidder_losses_total',
      help: 'Loss notices by OpenRTB loss reason code',
      labelNames: ['reason'],
      registers,
    }),
    viewLag: new Gauge({
      name: 'bidder_view_lag_messages',
      help: 'Messages behind the end of each topic partition the views read',
      labelNames: ['topic'],
      registers,
    }),
    viewReady: new Gauge({
      name: 'bidder_view_ready',
      help: '1 once every view caught up with its topics at start-up',
      registers,
    }),
    campaigns: new Gauge({ name: 'bidder_campaigns', help: 'Campaigns in the view', registers }),
    allowances: new Gauge({
      name: 'bidder_allowances',
      help: 'Budget allowances for this region in the view',
      registers,
    }),
    blocklist: new Gauge({
      name: 'bidder_blocklist_entries',
      help: 'Blocklist entries',
      registers,
    }),
    ...createEventMetrics(registry),
  };
}

/**
 * The children of a one-label counter, each bound on first use: an increment on the bid path then
 * skips prom-client's per-call label hashing.
 */
export function boundCounter<L extends string>(
  counter: Counter<L>,
  label: L,
): (value: string) => { inc(n?: number): void } {
  const children = new Map<string, { inc(n?: number): void }>();
  return (value) => {
    let child = children.get(value);
    if (!child) {
      child = counter.labels({ [label]: value } as Partial<Record<L, string>>);
      children.set(value, child);
    }
    return child;
  };
}

/** The event-pipeline part of the metrics (also exported by the main thread, which produces). */
export interface EventMetrics {
  eventsBuffered: Gauge;
  eventsDropped: Counter;
  eventsInvalid: Counter;
  produceErrors: Counter;
}

export function createEventMetrics(registry: Registry): EventMetrics {
  const registers = [registry];
  return {
    eventsBuffered: new Gauge({
      name: 'bidder_events_buffered',
      help: 'Events waiting to be produced to Kafka',
      registers,
    }),
    eventsDropped: new Counter({
      name: 'bidder_events_dropped_total',
      help: 'Events dropped because the bounded buffer was full or a send failed',
      registers,
    }),
    eventsInvalid: new Counter({
      name: 'bidder_events_invalid_total',
      help: 'Events that failed their topic schema and were not produced (a bug: the edge bounds every field)',
      registers,
    }),
    produceErrors: new Counter({
      name: 'bidder_produce_errors_total',
      help: 'Failed Kafka produce attempts (events and spend)',
      registers,
    }),
  };
}

/** Event counters as totals since start. */
export interface EventStats {
  buffered: number;
  dropped: number;
  invalid: number;
  produceErrors: number;
}

/** Returns a refresher that moves the gauges and counters to the current totals. */
export function trackEventStats(m: EventMetrics, read: () => EventStats): () => void {
  let last: EventStats = { buffered: 0, dropped: 0, invalid: 0, produceErrors: 0 };
  return () => {
    const now = read();
    m.eventsBuffered.set(now.buffered);
    if (now.dropped > last.dropped) m.eventsDropped.inc(now.dropped - last.dropped);
    if (now.invalid > last.invalid) m.eventsInvalid.inc(now.invalid - last.invalid);
    if (now.produceErrors > last.produceErrors)
      m.produceErrors.inc(now.produceErrors - last.produceErrors);
    last = now;
  };
}

/** Why a worker thread was replaced (`bidder_worker_restarts_total{reason}`). */
export const RESTART_REASONS = {
  /** The thread ended unexpectedly (an uncaught exception, or it exited). */
  crash: 'crash',
  /** Its event loop did not beat for `BIDDER_WATCHDOG_LIMIT_MS`. */
  stall: 'stall',
  /** It failed to start (Kafka or the port unavailable, views failed to catch up). */
  start: 'start',
} as const;
export type RestartReason = (typeof RESTART_REASONS)[keyof typeof RESTART_REASONS];

/** The main thread's supervision of its workers. */
export interface SupervisionMetrics {
  restarts: Counter<'reason'>;
  live: Gauge;
}

export function createSupervisionMetrics(registry: Registry): SupervisionMetrics {
  const registers = [registry];
  return {
    restarts: new Counter({
      name: 'bidder_worker_restarts_total',
      help: 'Worker threads replaced, by why the previous one went away (crash, stall, start)',
      labelNames: ['reason'],
      registers,
    }),
    live: new Gauge({
      name: 'bidder_workers_live',
      help: 'Worker threads up and serving the port (listening, heartbeat moving)',
      registers,
    }),
  };
}

/**
 * `bidder_campaigns_refused_total{reason}`: campaigns read from the log that the views would not
 * index (and dead-lettered), by the limit they exceed (`CAMPAIGN_REFUSALS`). One per registry.
 */
export function createCampaignRefusalCounter(registry: Registry): Counter<'reason'> {
  return sharedCounter(registry, {
    name: 'bidder_campaigns_refused_total',
    help: 'Campaigns from the log not indexed and dead-lettered, by the limit they exceed',
    labelNames: ['reason'],
  });
}
