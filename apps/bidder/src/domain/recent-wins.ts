/**
 * Wins this serving thread billed in the last few seconds, per user and campaign. A frequency cap
 * is read from the cookie profile, which learns of an impression only after the event went through
 * Kafka and the profile builder; until then the profile undercounts, and a user who comes back at
 * once could be shown the ad past the cap. Counting our own recent wins on top closes that window
 * (conservatively: once the profile has caught up, a win counts twice until it expires here).
 * Bounded; the oldest entries go first. Pure: time is passed in.
 */
export class RecentWins {
  private readonly map = new Map<string, { n: number; expires: number }>();

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
  ) {}

  record(userId: string, campaignId: string, now: number): void {
    const key = `${userId}|${campaignId}`;
    const e = this.map.get(key);
    if (e && e.expires > now) {
      e.n++;
      e.expires = now + this.ttlMs;
      this.map.delete(key); // re-insert: most recent last, so eviction takes the oldest
      this.map.set(key, e);
      return;
    }
    this.map.delete(key);
    this.map.set(key, { n: 1, expires: now + this.ttlMs });
    if (this.map.size > this.maxSize) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  /** Wins recorded for this user and campaign within the time-to-live. */
  count(userId: string, campaignId: string, now: number): number {
    if (this.map.size === 0) return 0;
    const key = `${userId}|${campaignId}`;
    const e = this.map.get(key);
    if (!e) return 0;
    if (e.expires <= now) {
      this.map.delete(key);
      return 0;
    }
    return e.n;
  }
}
