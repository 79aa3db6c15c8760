import { decode, type Decoded } from '@streambid/adapters';
import { clickSchema, privacySchema, TOPICS, type ClickEvent } from '@streambid/contracts';

/**
 * A hand-written equivalent of the `clicks` topic schema (`clickSchema`), for the replay hot path:
 * zod costs about as much per click as JSON.parse itself. It accepts exactly what zod accepts and
 * returns the same value (known keys only); click-decode.test.ts checks this against zod. Anything
 * it rejects goes through {@link decode}, so the dead-letter reason is zod's own.
 */
export function decodeClick(raw: Buffer): Decoded<ClickEvent> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return decode(TOPICS.clicks, raw);
  }
  const value = checkClick(json);
  return value === null ? decode(TOPICS.clicks, raw) : { ok: true, value };
}

type Obj = Record<string, unknown>;

const str = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const time = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const optStr = (v: unknown, max: number): boolean => v === undefined || str(v, 0, max);

/**
 * The replay's hot path: the parsed message itself when `clickSchema` accepts it, else null
 * (then {@link decodeClick} gives zod's reason). Unlike zod it does not copy: unknown keys stay on
 * the object, which is fine for readers of the known fields only.
 */
export function parseClick(raw: Buffer): ClickEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  return isClick(json) ? json : null;
}

/** True when `clickSchema` accepts `v` (its unknown keys aside). */
export function isClick(v: unknown): v is ClickEvent {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Obj;
  const region = o['region'];
  return !(
    !str(o['eventId'], 1, 128) ||
    !time(o['ts']) ||
    (region !== 'eu' && region !== 'us' && region !== 'ap') ||
    (o['test'] !== undefined && o['test'] !== true) ||
    // Nested, and rarer on this path (the fast encoder takes plain clicks): zod checks it.
    (o['privacy'] !== undefined && !privacySchema.safeParse(o['privacy']).success) ||
    !str(o['bidId'], 1, 256) ||
    !str(o['campaignId'], 1, 256) ||
    !str(o['creativeId'], 1, 256) ||
    (o['impressionTs'] !== undefined && !time(o['impressionTs'])) ||
    !optStr(o['userId'], 256) ||
    !optStr(o['ip'], 64) ||
    !optStr(o['ua'], 1024) ||
    !optStr(o['siteDomain'], 256) ||
    !optStr(o['appBundle'], 256) ||
    !optStr(o['publisherId'], 256) ||
    !optStr(o['placement'], 256) ||
    !optStr(o['country'], 3) ||
    (o['deviceType'] !== undefined && !int(o['deviceType']))
  );
}

/** The parsed click, or null when `clickSchema` would reject `v`. */
export function checkClick(v: unknown): ClickEvent | null {
  if (!isClick(v)) return null;
  const o = v as Obj;
  // Like zod: only the schema's keys, in its order, and only those present.
  const out: Obj = {};
  for (const k of KEYS) if (o[k] !== undefined) out[k] = o[k];
  const p = o['privacy'] as Obj | undefined;
  if (p !== undefined) out['privacy'] = { basis: p['basis'], p: p['p'] };
  return out as ClickEvent;
}

const KEYS = Object.keys(clickSchema.shape);
