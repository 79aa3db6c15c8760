import type { GroupCommitPublisher, Logger } from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import type { BidderConfig } from './config.js';
import type { Coordinator } from './coordinator.js';
import type { DecisionContext } from './domain/decide.js';
import type { EventSink } from './events.js';
import type { ProfileLookups } from './profile.js';
import type { BidderMetrics } from './metrics.js';
import type { Views } from './views.js';

/** What the HTTP layer needs; built by the composition root (worker or main thread). */
export interface ServerDeps {
  cfg: BidderConfig;
  ctx: DecisionContext;
  views: Views;
  /** Cookie-profile reads with deadlines; undefined runs without profiles. */
  profiles: ProfileLookups | undefined;
  events: EventSink;
  /** Acknowledged spend, group-committed across concurrent win notices. */
  spend: GroupCommitPublisher<Catalogue['spend']>;
  topics: Catalogue;
  metrics: BidderMetrics;
  coordinator: Coordinator;
  logger: Logger;
  /** This thread's views caught up. */
  ready: () => boolean;
  /** Base URL of our trackers. */
  base: string;
}
