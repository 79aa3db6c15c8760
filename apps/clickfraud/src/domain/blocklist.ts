import type { BlocklistEntry, BlockKind } from '@streambid/contracts';

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

/** The entities that cross the policy's line, as blocklist entries expiring `ttlMs` from `now`. */
export function blocklistEntries(
  scores: readonly EntityScore[],
  now: number,
  policy: BlockPolicy = DEFAULT_BLOCK_POLICY,
): BlocklistEntry[] {
  const out: BlocklistEntry[] = [];
  for (const s of scores) {
    if (s.value === '' || s.value.length > 256) continue;
    if (s.clicks < policy.minClicks[s.kind]) continue;
    const share = s.clicks === 0 ? 0 : s.invalidClicks / s.clicks;
    if (share < policy.minInvalidShare) continue;
    out.push({
      eventId: `${s.kind}:${s.value}:${String(now)}`,
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
