import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { LIMITS, privacySchema, type EventPrivacy } from '@streambid/contracts';

/** What a tracker URL must know about the bid it reports on, signed so it cannot be forged. */
export interface BidContext {
  bidId: string;
  requestId: string;
  impId: string;
  campaignId: string;
  creativeId: string;
  /** Our bid, CPM micros in `cur`: the most a win may be billed at. */
  priceMicros: number;
  cur: string;
  region: string;
  /** When we bid (ms since epoch); tokens expire counted from it. */
  ts: number;
  userId?: string | undefined;
  siteDomain?: string | undefined;
  appBundle?: string | undefined;
  publisherId?: string | undefined;
  dealId?: string | undefined;
  /** The exchange the bid went to (`BIDDER_EXCHANGES`). */
  exchange: string;
  /** The request had `test: 1`: answered normally, never billed or counted. */
  test: boolean;
  /** The basis the bid's data was kept under; every tracker event carries it. */
  privacy?: EventPrivacy | undefined;
}

/**
 * The trackers. The exchange receives win, billing and loss URLs in the bid; the markup, which
 * every viewer of the ad can read, carries only the impression and click URLs. Each kind has its
 * own tag, so a token taken from the markup cannot open win, billing or loss.
 */
export const TrackerKind = {
  win: 'win',
  bill: 'bill',
  loss: 'loss',
  imp: 'imp',
  click: 'click',
} as const;
export type TrackerKind = (typeof TrackerKind)[keyof typeof TrackerKind];

/** The exchange's notices (win, billing, loss), as opposed to the markup's trackers. */
export const isNotice = (k: TrackerKind): boolean => k === 'win' || k === 'bill' || k === 'loss';

/** One signing key: its id travels in every token so the secret can rotate. */
export interface TrackingKey {
  id: string;
  secret: string;
  /** Tokens signed with it are accepted until then (ms since epoch); undefined: no end. */
  acceptUntil?: number | undefined;
}

/** The key that signs, and the older ones still accepted during their grace period. */
export interface TrackingKeys {
  current: TrackingKey;
  previous: readonly TrackingKey[];
}

/** How long a token of each class stays valid, ms from the bid. */
export interface TokenTtl {
  noticeMs: number;
  markupMs: number;
}

/** The token lifetimes the bidder config sets (`BIDDER_NOTICE_TTL_S`, `BIDDER_MARKUP_TTL_S`). */
export function tokenTtlOf(cfg: {
  BIDDER_NOTICE_TTL_S: number;
  BIDDER_MARKUP_TTL_S: number;
}): TokenTtl {
  return { noticeMs: cfg.BIDDER_NOTICE_TTL_S * 1000, markupMs: cfg.BIDDER_MARKUP_TTL_S * 1000 };
}

/** Why a token was refused. */
export type TokenRefusal = 'malformed' | 'unknown_key' | 'forged' | 'expired';

// One HMAC-SHA512 per bid gives every kind its own 96-bit tag: slices of one PRF output are
// independent, so showing the imp tag tells nothing about the bill tag. An HMAC costs ~3.3 µs
// here; five of them (one per kind) would have cost ~16 µs of a ~35 µs request.
const TAG_BYTES = 12;
const TAG_OFFSET: Record<TrackerKind, number> = { win: 0, bill: 12, loss: 24, imp: 36, click: 48 };
const VERSION = 2;
const FIELDS = 17;
/** With the privacy basis and bits after the test flag. */
const FIELDS_WITH_PRIVACY = 19;

/**
 * The longest token a bid the edge accepted can have: eleven strings of at most `LIMITS.id` (or
 * `LIMITS.domain`) code units, each up to 6 bytes of JSON (`\u0000` escapes), plus numbers, in
 * base64 (4/3), plus key id and tag. A typical token is ~300 characters; this bound only keeps a
 * hostile one from costing more than one signature check.
 */
export const MAX_TOKEN_CHARS =
  Math.ceil(((11 * Math.max(LIMITS.id, LIMITS.domain) * 6 + 256) * 4) / 3) + LIMITS.code + 32;

// Importing a key once per secret instead of on every signature saves ~1 µs per token.
const keyObjects = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let k = keyObjects.get(secret);
  if (!k) keyObjects.set(secret, (k = createSecretKey(Buffer.from(secret, 'utf8'))));
  return k;
}

function mac(key: TrackingKey, payload: string): Buffer {
  return createHmac('sha512', keyOf(key.secret)).update(`${key.id}.${payload}`).digest();
}

const tagOf = (m: Buffer, kind: TrackerKind): string =>
  m.subarray(TAG_OFFSET[kind], TAG_OFFSET[kind] + TAG_BYTES).toString('base64url');

/**
 * The token of each tracker kind for one bid: `<key id>.<payload>.<tag>`, the payload being the
 * context as a positional JSON array in base64url (compact in a URL).
 */
export function encodeTokens(keys: TrackingKeys, c: BidContext): Record<TrackerKind, string> {
  const payload = Buffer.from(
    JSON.stringify([
      VERSION,
      c.bidId,
      c.requestId,
      c.impId,
      c.campaignId,
      c.creativeId,
      c.priceMicros,
      c.cur,
      c.region,
      c.ts,
      c.userId ?? '',
      c.siteDomain ?? '',
      c.appBundle ?? '',
      c.publisherId ?? '',
      c.dealId ?? '',
      c.exchange,
      c.test ? 1 : 0,
      ...(c.privacy ? [c.privacy.basis, c.privacy.p] : []),
    ]),
  ).toString('base64url');
  const m = mac(keys.current, payload);
  const head = `${keys.current.id}.${payload}.`;
  return {
    win: head + tagOf(m, 'win'),
    bill: head + tagOf(m, 'bill'),
    loss: head + tagOf(m, 'loss'),
    imp: head + tagOf(m, 'imp'),
    click: head + tagOf(m, 'click'),
  };
}

const opt = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The privacy entries of a payload, as the event schema takes them, else none. */
function privacyOf(basis: unknown, p: unknown): EventPrivacy | undefined {
  const r = privacySchema.safeParse({ basis, p });
  return r.success ? r.data : undefined;
}

function keyFor(keys: TrackingKeys, id: string, now: number): TrackingKey | undefined {
  if (keys.current.id === id) return keys.current;
  const k = keys.previous.find((p) => p.id === id);
  return k && (k.acceptUntil === undefined || now <= k.acceptUntil) ? k : undefined;
}

function parsePayload(payload: string): BidContext | undefined {
  let a: unknown;
  try {
    a = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (
    !Array.isArray(a) ||
    (a.length !== FIELDS && a.length !== FIELDS_WITH_PRIVACY) ||
    a[0] !== VERSION
  )
    return undefined;
  const [, bidId, requestId, impId, campaignId, creativeId, priceMicros, cur, region, ts] =
    a as unknown[];
  const exchange: unknown = a[15];
  if (
    typeof bidId !== 'string' ||
    typeof requestId !== 'string' ||
    typeof impId !== 'string' ||
    typeof campaignId !== 'string' ||
    typeof creativeId !== 'string' ||
    typeof priceMicros !== 'number' ||
    typeof cur !== 'string' ||
    typeof region !== 'string' ||
    typeof ts !== 'number' ||
    typeof exchange !== 'string'
  )
    return undefined;
  return {
    bidId,
    requestId,
    impId,
    campaignId,
    creativeId,
    priceMicros,
    cur,
    region,
    ts,
    userId: opt(a[10]),
    siteDomain: opt(a[11]),
    appBundle: opt(a[12]),
    publisherId: opt(a[13]),
    dealId: opt(a[14]),
    exchange,
    test: a[16] === 1,
    privacy: privacyOf(a[17], a[18]),
  };
}

/**
 * The bid context of a genuine, unexpired token of `kind`, or why it was refused. The tag is
 * checked before anything in the payload is read.
 */
export function decodeToken(
  keys: TrackingKeys,
  kind: TrackerKind,
  token: string,
  now: number,
  ttl: TokenTtl,
): { ok: true; ctx: BidContext } | { ok: false; refusal: TokenRefusal } {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, refusal: 'malformed' };
  const a = token.indexOf('.');
  const b = token.lastIndexOf('.');
  if (a <= 0 || b <= a + 1 || b === token.length - 1) return { ok: false, refusal: 'malformed' };
  const key = keyFor(keys, token.slice(0, a), now);
  if (!key) return { ok: false, refusal: 'unknown_key' };
  const payload = token.slice(a + 1, b);
  const got = Buffer.from(token.slice(b + 1), 'base64url');
  const want = mac(key, payload).subarray(TAG_OFFSET[kind], TAG_OFFSET[kind] + TAG_BYTES);
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return { ok: false, refusal: 'forged' };
  const ctx = parsePayload(payload);
  if (!ctx) return { ok: false, refusal: 'malformed' };
  const life = isNotice(kind) ? ttl.noticeMs : ttl.markupMs;
  if (now > ctx.ts + life) return { ok: false, refusal: 'expired' };
  return { ok: true, ctx };
}
