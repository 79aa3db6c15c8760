import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@streambid/adapters';
import { parseRates } from './domain/fx.js';

/** Dev-only HMAC key for tracker URLs; production sets `BIDDER_TRACKING_SECRET`. */
export const DEV_TRACKING_SECRET = 'streambid-dev-tracking-secret-change-me';

const number = (def: number) => z.coerce.number().finite().nonnegative().default(def);

/** Environment of the bidder; every default lives here. */
export const bidderEnv = z.object({
  ...commonEnv,
  /** HTTP port of the bid endpoint and trackers; 0 picks a free port (tests). @default 8080 */
  BIDDER_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Interface to bind. @default '0.0.0.0' */
  BIDDER_HOST: z.string().default('0.0.0.0'),
  /** Worker threads, one uWS app each on the same port; 0 serves from the main thread. @default cores */
  BIDDER_WORKERS: z.coerce.number().int().min(0).max(64).default(availableParallelism()),
  /** Base URL the trackers (nurl/burl/lurl, pixel, click) point at. @default http://127.0.0.1:<port> */
  BIDDER_PUBLIC_URL: z.url().optional(),
  /** HMAC-SHA256 key signing tracker tokens. @default DEV_TRACKING_SECRET */
  BIDDER_TRACKING_SECRET: z.string().min(16).default(DEV_TRACKING_SECRET),
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
  /** Win notices remembered per process for dedupe. @default 200000 */
  BIDDER_WIN_DEDUPE_SIZE: z.coerce.number().int().positive().default(200_000),
  /** How long a remembered win is kept. @default 86400 */
  BIDDER_WIN_DEDUPE_TTL_S: z.coerce.number().int().positive().default(86_400),
  /**
   * Take the client IP of tracker hits from the first `X-Forwarded-For` hop (behind a trusted load
   * balancer or the load test's simulated browsers). @default false
   */
  BIDDER_TRUST_FORWARDED: env.bool(false),
  /** Redis key prefix of the profile store. @default 'sb:' */
  PROFILE_KEY_PREFIX: z.string().default('sb:'),
});

export type BidderConfig = z.infer<typeof bidderEnv>;

export function loadBidderConfig(
  source: Record<string, string | undefined> = process.env,
): BidderConfig {
  return loadConfig(bidderEnv, source);
}

/** Base URL of the trackers; `port` is the one actually bound. */
export function publicUrl(cfg: BidderConfig, port: number = cfg.BIDDER_PORT): string {
  return (cfg.BIDDER_PUBLIC_URL ?? `http://127.0.0.1:${String(port)}`).replace(/\/+$/, '');
}
