import { createHash } from 'node:crypto';
import { blocklistEntrySchema, type BlocklistEntry, type BlockKind } from '@streambid/contracts';
import { blocklistValueKey } from '@streambid/reference-data';

/** An entity's rolled-up click record over a scoring window. */
export interface EntityScore {
  kind: BlockKind;
  value: string;
  clicks: number;
  invalidClicks: number;
  reasons: string[];
}

/** When an entity is blocked. */
export interface BlockPolicy {
  /** Share of invalid clicks at or above which an entity is blocked. @default 0.8 */
  minInvalidShare: number;
  /** Fewest clicks before an entity can be judged, per kind. */
  minClicks: Record<BlockKind, number>;
  /** Block lifetime. @default 86400000 */
  ttlMs: number;
}

export const DEFAULT_BLOCK_POLICY: BlockPolicy = {
  minInvalidShare: 0.8,
  minClicks: { ip: 5, subnet: 20, cookie: 5, site: 20, app: 20, publisher: 50 },
  ttlMs: 86_400_000,
};

/** `blocklistEntrySchema` limits, read off the schema: longest value, longest event id. */
const MAX_VALUE = blocklistEntrySchema.shape.value.maxLength ?? Infinity;
const MAX_EVENT_ID = blocklistEntrySchema.shape.eventId.maxLength ?? Infinity;

/**
 * `<kind>:<value>:<now>`, readable for short values; a long value is hashed so that any value the
 * schema accepts gives an id within its limit (one long cookie id used to fail the whole batch).
 */
function entryId(kind: BlockKind, value: string, now: number): string {
  const id = `${kind}:${value}:${String(now)}`;
  if (id.length <= MAX_EVENT_ID) return id;
  return `${kind}:sha256-${createHash('sha256').update(value).digest('hex').slice(0, 32)}:${String(now)}`;
}

/**
 * Scores with their values normalised (`blocklistValueKey`: domain case, trailing dots, IDNA, IP
 * spellings, bundle padding) and merged per key: `Example.com` and `example.com.` are one site,
 * and the bidder checks requests under the same key.
 */
export function mergeByKey(scores: readonly EntityScore[]): EntityScore[] {
  const merged = new Map<string, EntityScore>();
  for (const s of scores) {
    const value = blocklistValueKey(s.kind, s.value);
    const k = `${s.kind}:${value}`;
    const m = merged.get(k);
    if (m === undefined) merged.set(k, { ...s, value, reasons: [...s.reasons] });
    else {
      m.clicks += s.clicks;
      m.invalidClicks += s.invalidClicks;
      m.reasons.push(...s.reasons);
    }
  }
  return [...merged.values()];
}

/**
 * The entities that cross the policy's line (values normalised and merged, {@link mergeByKey}), as blocklist entries expiring `ttlMs` from `now`. One
 * that cannot be an entry (a value longer than the schema allows) is left out and reported to
 * `onSkip`; an empty value (no cookie, no IP) is no entity and is left out silently.
 */
export function blocklistEntries(
  scores: readonly EntityScore[],
  now: number,
  policy: BlockPolicy = DEFAULT_BLOCK_POLICY,
  onSkip: (s: EntityScore, reason: string) => void = () => undefined,
): BlocklistEntry[] {
  const out: BlocklistEntry[] = [];
  for (const s of mergeByKey(scores)) {
    if (s.value === '') continue;
    if (s.clicks < policy.minClicks[s.kind]) continue;
    const share = s.clicks === 0 ? 0 : s.invalidClicks / s.clicks;
    if (share < policy.minInvalidShare) continue;
    if (s.value.length > MAX_VALUE) {
      onSkip(s, `value of ${String(s.value.length)} characters, limit ${String(MAX_VALUE)}`);
      continue;
    }
    out.push({
      eventId: entryId(s.kind, s.value, now),
      ts: now,
      kind: s.kind,
      value: s.value,
      score: Math.min(1, Math.max(0, Math.round(share * 1000) / 1000)),
      reasons: [...new Set(s.reasons)].sort().slice(0, 32),
      expiresAt: now + policy.ttlMs,
    });
  }
  return out;
}
