import type { GroupCommitPublisher, Logger, Registry } from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import {
  createSignalReader,
  privacyConfigFromEnv,
  type PrivacyConfig,
  type SignalReader,
} from '@streambid/privacy';
import type { BidderConfig } from './config.js';
import type { Coordinator } from './runtime/coordinator.js';
import type { DecisionContext } from './domain/decide.js';
import type { TrackingKeys } from './domain/token.js';
import type { EventSink } from './runtime/events.js';
import type { ProfileLookups } from './stream/profile.js';
import type { BidderMetrics } from './metrics.js';
import type { Views } from './stream/views.js';

/** What the HTTP layer needs; built by the composition root (worker or main thread). */
export interface ServerDeps {
  cfg: BidderConfig;
  /** Keys signing and verifying tracker tokens (from the config). */
  keys: TrackingKeys;
  ctx: DecisionContext;
  views: Views;
  /** Cookie-profile reads with deadlines; undefined runs without profiles. */
  profiles: ProfileLookups | undefined;
  events: EventSink;
  /** Acknowledged spend, group-committed across concurrent win notices. */
  spend: GroupCommitPublisher<Catalogue['spend']>;
  topics: Catalogue;
  metrics: BidderMetrics;
  /** The thread's registry (the HTTP guard registers its error counter on it). */
  registry: Registry;
  coordinator: Coordinator;
  logger: Logger;
  /** This thread's views caught up. */
  ready: () => boolean;
  /** Base URL of our trackers. */
  base: string;
  /** The consent policy: signals read once per request (cached), decided against our config. */
  privacy: BidPrivacy;
}

export interface BidPrivacy {
  reader: SignalReader;
  config: PrivacyConfig;
}

/** The privacy policy of a serving thread, from the configuration. */
export function bidPrivacy(cfg: BidderConfig): BidPrivacy {
  const config = privacyConfigFromEnv(cfg);
  return { reader: createSignalReader(config), config };
}
