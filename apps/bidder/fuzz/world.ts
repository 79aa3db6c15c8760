/**
 * The bid path in process, with no HTTP, Kafka or Redis: the real flow (`createBidFlow`) over
 * domain views filled directly with campaigns that match broadly (any banner size, video, audio,
 * native, a deal, a profile campaign, ids at their limits), an in-memory profile store, and an
 * event sink whose batches land in an array. The property test and `fuzz:bidder` both run on it.
 */
import {
  createMetricsRegistry,
  silentLogger,
  type GroupCommitPublisher,
  type StreamConsumer,
} from '@streambid/adapters';
import {
  LIMITS,
  TOPICS,
  type BlocklistEntry,
  type Campaign,
  type Catalogue,
  type Creative,
} from '@streambid/contracts';
import { ProfileReader, type ProfileLookup } from '@streambid/profiles';
import { makeCampaign } from '@streambid/testkit';
import { createBidFlow, type BidAnswer, type BidCall, type BidFlow } from '../src/http/bid-flow.js';
import { BillingLedger } from '../src/stream/billing.js';
import { loadBidderConfig, prebidActions, trackingKeys, type BidderConfig } from '../src/config.js';
import { PrebidFilter } from '../src/domain/prebid.js';
import { SellersDirectory } from '../src/domain/sellers.js';
import { LocalCoordinator } from '../src/runtime/coordinator.js';
import { bidPrivacy, type ServerDeps } from '../src/deps.js';
import { Blocklist } from '../src/domain/blocklist.js';
import { BudgetView } from '../src/domain/budget.js';
import { CampaignIndex } from '../src/domain/campaign-index.js';
import type { DecisionContext } from '../src/domain/decide.js';
import { RecentWins } from '../src/domain/recent-wins.js';
import { EventSink, type StreamEvent } from '../src/runtime/events.js';
import { createBidderMetrics } from '../src/metrics.js';
import { ProfileLookups } from '../src/stream/profile.js';

/** A deal id the world's deal campaign buys through (generators put it into requests). */
export const WORLD_DEAL_IDS = ['deal-fz-1', 'deal-fz-2'] as const;
/** The segment the world's profile campaign needs. */
export const WORLD_SEGMENT = 'fz-seg';
/** Blocked traffic the world's blocklist holds (generators draw from these too). */
export const WORLD_BLOCKED = {
  ip: '203.0.113.66',
  subnet: '198.51.100.0/24',
  site: 'blocked.example',
};

const CURRENCIES = ['USD', 'EUR', 'JPY', 'GBP', 'XXX', 'constructor', '__proto__', 'usd'];

/**
 * Values generated requests favour (by field name) so they reach the world's decisions: known and
 * hostile currencies, its deal ids, targeted countries, blocked traffic, our seat.
 */
export const ACCEPTED_HINTS: Readonly<Record<string, readonly string[]>> = {
  bidfloorcur: CURRENCIES,
  cur: CURRENCIES,
  id: [...WORLD_DEAL_IDS],
  country: ['USA', 'DEU'],
  ip: [
    WORLD_BLOCKED.ip,
    '198.51.100.7',
    '192.0.2.1',
    '::1',
    '3.80.1.2', // data centre
    '::ffff:203.0.113.66', // blocked, mapped
    '2600:1f18::1', // data centre, IPv6
    '0x7f.1', // invalid
    '1::2::3',
  ],
  ipv6: ['2001:db8::1', '2600:1f18::1', '::ffff:198.51.100.7', 'fe80::1%eth0'],
  ua: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'curl/8.5.0',
    'Roku/DVP-12.5',
  ],
  asi: ['ssp.example', 'SSP.example.', 'other.example'],
  sid: ['pub-1', '__proto__', 'constructor', 'pub-2'],
  domain: [WORLD_BLOCKED.site, 'news.example'],
  wseat: ['streambid'],
};

/** What the in-memory profile store answers for one read. */
export type ProfileBehaviour = 'found' | 'missing' | 'optedOut' | 'error' | 'never';

/** A profile store in memory: each read answers as `behaviour(userId)` says, on a microtask. */
class MemoryProfileReader extends ProfileReader {
  constructor(private readonly behaviour: (userId: string) => ProfileBehaviour) {
    // No Redis behind this reader: `get` is overridden and never touches it.
    super(null as never);
  }

  override get(userId: string, now: number = Date.now()): Promise<ProfileLookup> {
    switch (this.behaviour(userId)) {
      case 'found':
        return Promise.resolve({
          kind: 'found',
          profile: {
            userId,
            segments: { [WORLD_SEGMENT]: 0.9 },
            lastSeen: now,
            freq: {},
            clicks: 0,
          },
        });
      case 'missing':
        return Promise.resolve({ kind: 'missing' });
      case 'optedOut':
        return Promise.resolve({ kind: 'optedOut' });
      case 'error':
        return Promise.reject(new Error('profile store unavailable'));
      case 'never':
        // A read Redis never answers: the lookup's deadline has to end it.
        return new Promise<ProfileLookup>(() => undefined);
    }
  }
}

/** A dependency the bid path must not touch: any use throws (and the flow answers 500). */
function unused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_t, prop) {
      throw new Error(`${what}.${String(prop)} is not available on the in-process bid path`);
    },
  });
}

const banner = (over: Partial<Creative> = {}): Creative => ({
  id: 'cr-any',
  mediaType: 'banner',
  markup: '<a href="${CLICK_URL}"><img src="https://cdn.acme.example/a.png"></a>',
  landingUrl: 'https://acme.example/landing',
  adomain: ['acme.example'],
  cat: [],
  attr: [],
  ...over,
});

/** A string of exactly `n` UTF-16 code units mixing multi-byte characters and a surrogate pair. */
export function idOfLength(prefix: string, n: number): string {
  let s = prefix;
  const fill = 'é中😀x';
  while (s.length < n) s += fill;
  s = s.slice(0, n);
  // Never end on half a pair.
  const last = s.charCodeAt(n - 1);
  return last >= 0xd800 && last <= 0xdbff ? `${s.slice(0, n - 1)}y` : s;
}

/** Campaigns that between them bid on almost any impression the edge accepts. */
export function worldCampaigns(now = Date.now()): Campaign[] {
  const flight = { start: now - 3_600_000, end: now + 30 * 86_400_000 };
  const c = (over: Partial<Campaign>): Campaign =>
    makeCampaign({ flight, budget: { totalMicros: 1e15 }, ...over });
  const maxCpm = LIMITS.cpm * 1e6;
  return [
    // Outbids any floor the edge accepts, for any banner; needs the profile segment.
    c({
      id: 'fz-profile',
      bidCpmMicros: maxCpm,
      targeting: { segments: [WORLD_SEGMENT] },
      creatives: [banner({ id: 'cr-profile' })],
    }),
    // Frequency-capped (profile) at the highest price in yen.
    c({
      id: 'fz-capped',
      currency: 'JPY',
      bidCpmMicros: maxCpm,
      frequencyCap: { perDay: 3 },
      creatives: [banner({ id: 'cr-capped', w: 300, h: 250, cat: ['IAB1'], attr: [3] })],
    }),
    // No profile needed, clears any floor, ids at their limits with multi-byte characters.
    c({
      id: idOfLength('fz-long-', LIMITS.id),
      bidCpmMicros: maxCpm,
      creatives: [banner({ id: idOfLength('cr-long-', LIMITS.id) })],
    }),
    c({ id: 'fz-banner-eur', currency: 'EUR', bidCpmMicros: 5_000_000 }),
    c({
      id: 'fz-video',
      bidCpmMicros: maxCpm,
      creatives: [
        {
          id: 'cr-video',
          mediaType: 'video',
          markup: '<VAST version="4.0"><Ad><InLine><AdTitle>x</AdTitle></InLine></Ad></VAST>',
          landingUrl: 'https://acme.example/video',
          adomain: ['acme.example'],
          cat: [],
          attr: [],
        },
      ],
    }),
    c({
      id: 'fz-audio',
      bidCpmMicros: 3_000_000,
      creatives: [
        {
          id: 'cr-audio',
          mediaType: 'audio',
          markup: '<VAST version="4.0"><Ad><InLine></InLine></Ad></VAST>',
          landingUrl: 'https://acme.example/audio',
          adomain: ['acme.example'],
          cat: [],
          attr: [],
        },
      ],
    }),
    c({
      id: 'fz-native',
      bidCpmMicros: maxCpm,
      creatives: [
        {
          id: 'cr-native',
          mediaType: 'native',
          markup: '{"native":{"link":{"url":"${CLICK_URL}"},"imptrackers":["${IMP_URL}"]}}',
          landingUrl: 'https://acme.example/native',
          adomain: ['acme.example'],
          cat: [],
          attr: [],
        },
      ],
    }),
    c({
      id: 'fz-deal',
      bidCpmMicros: maxCpm,
      deals: [{ id: WORLD_DEAL_IDS[0] }, { id: WORLD_DEAL_IDS[1], floorMicros: 1_000_000 }],
      creatives: [banner({ id: 'cr-deal' })],
    }),
    c({
      id: 'fz-geo',
      currency: 'GBP',
      bidCpmMicros: 4_000_000,
      targeting: { countries: ['USA', 'DEU'], deviceTypes: [2, 4] },
      creatives: [banner({ id: 'cr-geo', w: 728, h: 90 })],
    }),
    // Known to the index but never bidding.
    c({ id: 'fz-paused', status: 'paused' }),
    c({ id: 'fz-ended', flight: { start: now - 7_200_000, end: now - 3_600_000 } }),
  ];
}

/** One ad system's sellers list, with a hostile seller id among the real ones. */
function worldSellers(): SellersDirectory {
  const dir = new SellersDirectory();
  dir.load('ssp.example', {
    sellers: [
      { seller_id: 'pub-1', seller_type: 'PUBLISHER' },
      { seller_id: '__proto__', seller_type: 'INTERMEDIARY' },
    ],
  });
  return dir;
}

function worldBlocklist(now: number): Blocklist {
  const b = new Blocklist();
  const entry = (kind: BlocklistEntry['kind'], value: string): BlocklistEntry => ({
    eventId: `${kind}:${value}`,
    ts: now,
    kind,
    value,
    score: 1,
    reasons: ['fuzz'],
    expiresAt: now + 30 * 86_400_000,
  });
  b.apply(entry('ip', WORLD_BLOCKED.ip));
  b.apply(entry('subnet', WORLD_BLOCKED.subnet));
  b.apply(entry('site', WORLD_BLOCKED.site));
  return b;
}

/** Options of {@link createWorld}. */
export interface WorldOptions {
  /** How the profile store answers each read; undefined runs without profiles (all synchronous). */
  profiles?: (userId: string) => ProfileBehaviour;
  /** Bidder environment on top of the world's own. */
  env?: Record<string, string>;
}

/** The in-process bid path and what it emitted. */
export interface World {
  cfg: BidderConfig;
  deps: ServerDeps;
  flow: BidFlow;
  campaigns: Campaign[];
  /** Events handed over so far (cleared by {@link World.take}). */
  take(): StreamEvent[];
  /** Runs one call; `answer` gets the flow's answer with the events it emitted. */
  run(call: BidCall, answer: (a: BidAnswer, events: StreamEvent[]) => void): void;
}

export function createWorld(o: WorldOptions = {}): World {
  const now = Date.now();
  const cfg = loadBidderConfig({
    REGION: 'eu',
    LOG_LEVEL: 'silent',
    BIDDER_REQUIRE_ALLOWANCE: 'false',
    BIDDER_WORKERS: '0',
    BIDDER_DEV_MODE: 'true',
    // Requests without regs.gdpr count as outside GDPR here (the default says GDPR).
    PRIVACY_GDPR_DEFAULT: 'false',
    // Both pre-bid outcomes reach the response: some reasons refuse, these bid low and marked.
    BIDDER_PREBID_NON_BROWSER: 'flag',
    BIDDER_PREBID_SELLER_UNKNOWN: 'flag',
    ...o.env,
  });
  const registry = createMetricsRegistry('bidder-fuzz');
  const metrics = createBidderMetrics(registry);
  const index = new CampaignIndex(cfg.BIDDER_FX_RATES);
  const campaigns = worldCampaigns(now);
  for (const c of campaigns) index.upsert(c);
  const budget = new BudgetView({ region: cfg.REGION, requireAllowance: false });
  const blocklist = worldBlocklist(now);
  const ctx: DecisionContext = {
    index,
    budget,
    prebid: new PrebidFilter(prebidActions(cfg), blocklist),
    sellers: worldSellers(),
    flagPriceShare: cfg.BIDDER_PREBID_FLAG_PRICE_SHARE,
    rates: cfg.BIDDER_FX_RATES,
    seat: cfg.BIDDER_SEAT,
    firstPriceShade: cfg.BIDDER_FIRST_PRICE_SHADE,
    recentWins: new RecentWins(10_000, cfg.BIDDER_RECENT_WIN_TTL_MS),
  };
  let handed: StreamEvent[] = [];
  const events = new EventSink(
    (batch) => {
      for (const e of batch) handed.push(e);
    },
    1_000_000,
    60_000,
  );
  const take = (): StreamEvent[] => {
    events.flush();
    const out = handed;
    handed = [];
    return out;
  };
  const profiles =
    o.profiles === undefined
      ? undefined
      : new ProfileLookups(new MemoryProfileReader(o.profiles), () => undefined);
  const billing = new BillingLedger(10_000, 3_600_000);
  billing.ready = true;
  const coordinator = new LocalCoordinator(registry, billing);
  coordinator.ready = true;
  const deps: ServerDeps = {
    cfg,
    keys: trackingKeys(cfg),
    ctx,
    views: {
      index,
      budget,
      blocklist,
      consumer: unused<StreamConsumer>('views.consumer'),
    },
    profiles,
    events,
    spend: unused<GroupCommitPublisher<Catalogue['spend']>>('spend'),
    topics: TOPICS,
    metrics,
    registry,
    coordinator,
    logger: silentLogger(),
    ready: () => true,
    base: 'http://127.0.0.1:8080',
    privacy: bidPrivacy(cfg),
  };
  const flow = createBidFlow(deps);
  return {
    cfg,
    deps,
    flow,
    campaigns,
    take,
    run(call, answer) {
      // Events are queued by the response step right before the answer: they are this call's.
      flow.run(call, (a) => answer(a, take()));
    },
  };
}

/** Why an event fails its topic's schema, or undefined when it passes. */
export function eventProblem(e: StreamEvent): string | undefined {
  const r = TOPICS[e.kind].schema.safeParse(e.value);
  if (r.success) return undefined;
  const first = r.error.issues[0];
  return `${e.kind}: ${first ? `${first.path.join('.')} ${first.message}` : 'invalid'}`;
}
