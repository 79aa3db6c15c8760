import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError, commonEnv, env, loadConfig } from '@streambid/adapters';
import { privacyEnv } from '@streambid/privacy';
import { parseExchanges } from './domain/exchanges.js';
import { parseRates } from './domain/fx.js';
import type { TrackingKeys } from './domain/token.js';
import { KEY_ID, parsePreviousKeys } from './domain/tracking-keys.js';
import { PrebidAction, type PrebidActions } from './domain/prebid.js';
import { parseSellersJson, SellersDirectory } from './domain/sellers.js';

/**
 * Development-only HMAC key for tracker URLs. It is published in this repository, so anyone could
 * forge a billing notice with it: the bidder refuses to start with it unless `BIDDER_DEV_MODE` is
 * set (the demo, the load test and the tests set it).
 */
export const DEV_TRACKING_SECRET = 'streambid-dev-tracking-secret-change-me';

/** A `z.string()` parsed by `parse`, whose error message becomes the variable's. */
function parsed<T>(parse: (v: string) => T | string) {
  return z.string().transform((v, ctx) => {
    const r = parse(v);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'custom', message: r });
      return z.NEVER;
    }
    return r;
  });
}

const number = (def: number) => z.coerce.number().finite().nonnegative().default(def);

/** A pre-bid reason's action: `nobid`, `flag` (bid low and marked) or `off`. @default 'nobid' */
const prebid = () => z.enum(PrebidAction).default(PrebidAction.nobid);

/**
 * `asi=path[,asi=path…]`: each file a sellers.json of the ad system `asi` (the domain supply-chain
 * nodes name). Read and validated at start; the message names the file and the wrong field.
 */
export function loadSellersFiles(spec: string): SellersDirectory | string {
  const dir = new SellersDirectory();
  for (const pair of spec.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const asi = pair.slice(0, eq).trim();
    const path = pair.slice(eq + 1).trim();
    if (eq <= 0 || path === '') return `expected asi=path pairs, got "${pair}"`;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      return `cannot read ${path}: ${(err as Error).message}`;
    }
    const doc = parseSellersJson(text);
    if (!doc.ok) return `${path} is not a valid sellers.json: ${doc.error}`;
    dir.load(asi, doc.value);
  }
  return dir;
}

/** Environment of the bidder; every default lives here. */
export const bidderEnv = z.object({
  ...commonEnv,
  /** Consent policy (docs/privacy.md): our vendor id, declared purposes, GDPR default. */
  ...privacyEnv,
  /** HTTP port of the bid endpoint and trackers; 0 picks a free port (tests). @default 8080 */
  BIDDER_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Interface to bind. @default '0.0.0.0' */
  BIDDER_HOST: z.string().default('0.0.0.0'),
  /** Worker threads, one uWS app each on the same port; 0 serves from the main thread. @default cores */
  BIDDER_WORKERS: z.coerce.number().int().min(0).max(64).default(availableParallelism()),
  /** Base URL the trackers (nurl/burl/lurl, pixel, click) point at. @default http://127.0.0.1:<port> */
  BIDDER_PUBLIC_URL: z.url().optional(),
  /**
   * Development mode: allows the published development tracking key. Never in production.
   * @default false
   */
  BIDDER_DEV_MODE: env.bool(false),
  /**
   * HMAC key signing tracker tokens (at least 16 characters). Required unless `BIDDER_DEV_MODE`,
   * which signs with {@link DEV_TRACKING_SECRET}.
   */
  BIDDER_TRACKING_SECRET: z.string().min(16).optional(),
  /** Id of that key, carried in every token so the secret can rotate. @default 'k1' */
  BIDDER_TRACKING_KEY_ID: z
    .string()
    .regex(KEY_ID, 'letters, digits, - and _, at most 16')
    .default('k1'),
  /**
   * Keys still accepted after a rotation: `id:secret[@until]` pairs (until: ISO-8601). Rotate by
   * moving the current key here with an end at least `BIDDER_NOTICE_TTL_S` away. @default none
   */
  BIDDER_TRACKING_PREVIOUS_KEYS: parsed(parsePreviousKeys).default([]),
  /** Win, billing and loss notices are refused this long after the bid. @default 3600 */
  BIDDER_NOTICE_TTL_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3600),
  /** Impression and click trackers are refused this long after the bid. @default 86400 */
  BIDDER_MARKUP_TTL_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
  /**
   * Exchanges and the notice each bills on: `id:burl|nurl` pairs. Bids arrive on
   * `/openrtb2/bid/<id>` (and `/openrtb2/bid` for `default`, which bills on `burl` unless listed).
   * @default 'default:burl'
   */
  BIDDER_EXCHANGES: parsed(parseExchanges).default(parseExchanges('') as never),
  /**
   * A billing notice is answered within this: billed, duplicate, or 503 with `Retry-After` when
   * the spend could not be recorded in time (the exchange's retry is then billed). @default 2000
   */
  BIDDER_BILLING_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** Spend records waiting for Kafka; beyond it billing notices get 503 at once. @default 10000 */
  BIDDER_SPEND_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Seat id we bid from (`seatbid.seat`, matched against `wseat`/`bseat`). @default 'streambid' */
  BIDDER_SEAT: z.string().min(1).default('streambid'),
  /** A campaign needs a budget allowance for this region to bid. @default true */
  BIDDER_REQUIRE_ALLOWANCE: env.bool(true),
  /** `CUR=usdPerUnit` pairs; USD is always 1. Unknown floor currencies get no bid. */
  BIDDER_FX_RATES: z
    .string()
    .default('EUR=1.08,GBP=1.27,JPY=0.0067,CAD=0.73,AUD=0.66,BRL=0.18,INR=0.012,SEK=0.095,PLN=0.25')
    .transform((v, ctx) => {
      const r = parseRates(v);
      if (typeof r === 'string') {
        ctx.addIssue({ code: 'custom', message: r });
        return z.NEVER;
      }
      return r;
    }),
  /** First-price bids are shaded to this share of the campaign's max CPM (never under the floor). @default 0.85 */
  BIDDER_FIRST_PRICE_SHADE: z.coerce.number().min(0.01).max(1).default(0.85),
  /** Expected win rate: a bid reserves cost × this many pacing tokens. @default 1 */
  BIDDER_PACING_WIN_RATE: z.coerce.number().min(0.001).max(1).default(1),
  /** Pacing bucket depth in seconds of the pace rate. @default 2 */
  BIDDER_PACING_BURST_S: number(2),
  /** `tmax` assumed when a request has none. @default 100 */
  BIDDER_DEFAULT_TMAX_MS: number(100),
  /** Share of `tmax` kept for the network round trip; past the rest we answer no-bid. @default 0.5 */
  BIDDER_TMAX_NETWORK_SHARE: z.coerce.number().min(0).max(0.95).default(0.5),
  /** Upper bound of the profile lookup, whatever `tmax` allows. @default 15 */
  BIDDER_PROFILE_TIMEOUT_MS: number(15),
  /** Largest accepted request body. @default 65536 */
  BIDDER_MAX_BODY_BYTES: z.coerce.number().int().positive().default(65_536),
  /** Bid events held for Kafka before drops are counted. @default 100000 */
  BIDDER_EVENT_BUFFER: z.coerce.number().int().positive().default(100_000),
  /**
   * How long bid events wait to be sent with others. kafkajs spends ~1 ms of CPU per produce
   * request, so fewer, larger batches save ~25 µs per event against 20 ms. @default 100
   */
  BIDDER_EVENT_LINGER_MS: z.coerce.number().int().positive().default(100),
  /**
   * How often a serving thread hands its queued events to the producing thread (one message per
   * hand-off, so fewer is cheaper; events wait at most this long plus the linger). @default 20
   */
  BIDDER_EVENT_HANDOFF_MS: z.coerce.number().int().positive().default(20),
  /**
   * How long a billed win counts towards frequency caps on top of the cookie profile (which hears
   * of the impression only through Kafka and the profile builder). @default 10000
   */
  BIDDER_RECENT_WIN_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * Billed bids remembered per process (one set for all workers, rebuilt from the spend streams
   * at start): every bid billed within `BIDDER_NOTICE_TTL_S` must fit, ~100 bytes each, or a repeat
   * notice after an eviction could be billed again (`bidder_billing_dedupe_evictions_total`
   * counts those). @default 1000000
   */
  BIDDER_WIN_DEDUPE_SIZE: z.coerce.number().int().positive().default(1_000_000),
  /**
   * Take the client IP of tracker hits from the first `X-Forwarded-For` hop (behind a trusted load
   * balancer or the load test's simulated browsers). @default false
   */
  BIDDER_TRUST_FORWARDED: env.bool(false),
  // Pre-bid invalid-traffic checks (README, "Pre-bid filtering"): each reason no bid, flag or off.
  /** Traffic on the fraud blocklist. @default 'nobid' */
  BIDDER_PREBID_BLOCKED: prebid(),
  /** `device.ip`/`ipv6` that is no IP address. @default 'nobid' */
  BIDDER_PREBID_INVALID_IP: prebid(),
  /** Data-centre and hosting IP ranges (IPv4, IPv6). @default 'nobid' */
  BIDDER_PREBID_DATACENTRE: prebid(),
  /** Declared bots and crawlers by user agent (`isbot` plus the project's rules). @default 'nobid' */
  BIDDER_PREBID_BOT_UA: prebid(),
  /** Non-browser user agents on web (`site`) inventory; apps are exempt. @default 'nobid' */
  BIDDER_PREBID_NON_BROWSER: prebid(),
  /** A malformed `source.schain` (2.6) or `source.ext.schain` (2.5). @default 'nobid' */
  BIDDER_PREBID_SCHAIN_INVALID: prebid(),
  /** A supply-chain seller missing from its ad system's sellers.json. @default 'nobid' */
  BIDDER_PREBID_SELLER_UNKNOWN: prebid(),
  /**
   * A flagged bid is priced at this share of the normal bid, never under the floor, and carries
   * `ext.ivt.reason`. @default 0.1
   */
  BIDDER_PREBID_FLAG_PRICE_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  /**
   * Sellers lists for the supply-chain check: `asi=path` pairs of sellers.json files (e.g.
   * `exchange.example=/etc/streambid/exchange-sellers.json`). @default none (sellers unchecked)
   */
  BIDDER_SELLERS_JSON: parsed(loadSellersFiles).optional(),
  /** Redis key prefix of the profile store. @default 'sb:' */
  PROFILE_KEY_PREFIX: z.string().default('sb:'),
  /** How often each worker thread beats its heartbeat; also how often the main thread checks. @default 250 */
  BIDDER_WATCHDOG_INTERVAL_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  /**
   * A worker whose heartbeat has not moved for this long is stalled: its sockets are closed and
   * it is replaced. 0 turns the watchdog off (e.g. while a debugger pauses a worker). @default 2000
   */
  BIDDER_WATCHDOG_LIMIT_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /**
   * Registers `POST /__fault/*` routes that throw, stall or kill the serving thread, for the
   * supervision tests. Never on in production: anyone who can reach the port can take a worker down.
   * @default false
   */
  BIDDER_FAULT_ROUTES: env.bool(false),
});

export type BidderConfig = z.infer<typeof bidderEnv>;

export function loadBidderConfig(
  source: Record<string, string | undefined> = process.env,
): BidderConfig {
  const cfg = loadConfig(bidderEnv, source);
  const secret = cfg.BIDDER_TRACKING_SECRET;
  if (!cfg.BIDDER_DEV_MODE && (secret === undefined || secret === DEV_TRACKING_SECRET))
    throw new ConfigError(
      'BIDDER_TRACKING_SECRET',
      secret === undefined
        ? 'required: set a secret of at least 16 characters (or BIDDER_DEV_MODE=true for the published development key)'
        : 'is the published development key; set your own, or BIDDER_DEV_MODE=true for development',
    );
  return cfg;
}

/** Each pre-bid reason's action, from the configuration. */
export function prebidActions(cfg: BidderConfig): PrebidActions {
  return {
    blocked: cfg.BIDDER_PREBID_BLOCKED,
    invalid_ip: cfg.BIDDER_PREBID_INVALID_IP,
    datacentre: cfg.BIDDER_PREBID_DATACENTRE,
    bot_ua: cfg.BIDDER_PREBID_BOT_UA,
    non_browser: cfg.BIDDER_PREBID_NON_BROWSER,
    schain_invalid: cfg.BIDDER_PREBID_SCHAIN_INVALID,
    seller_unknown: cfg.BIDDER_PREBID_SELLER_UNKNOWN,
  };
}

/** The key that signs tracker tokens and the ones still accepted. */
export function trackingKeys(cfg: BidderConfig): TrackingKeys {
  return {
    current: {
      id: cfg.BIDDER_TRACKING_KEY_ID,
      secret: cfg.BIDDER_TRACKING_SECRET ?? DEV_TRACKING_SECRET,
    },
    previous: cfg.BIDDER_TRACKING_PREVIOUS_KEYS,
  };
}

/** Base URL of the trackers; `port` is the one actually bound. */
export function publicUrl(cfg: BidderConfig, port: number = cfg.BIDDER_PORT): string {
  return (cfg.BIDDER_PUBLIC_URL ?? `http://127.0.0.1:${String(port)}`).replace(/\/+$/, '');
}
