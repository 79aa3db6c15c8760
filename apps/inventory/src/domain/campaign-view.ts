import type { Campaign } from '@streambid/contracts';

interface Waiter {
  version: number;
  resolve: (c: Campaign) => void;
  timer: NodeJS.Timeout;
}

/** No write became visible in the view before the deadline. */
export class NotVisibleError extends Error {
  constructor(
    readonly id: string,
    readonly version: number,
  ) {
    super(`campaign ${id} version ${String(version)} not visible in the view yet`);
  }
}

/**
 * The local view of the compacted `campaigns` topic and its remote copies: latest version per id.
 * Copies from different topics arrive in no particular order, so a lower version never replaces a
 * higher one.
 */
export class CampaignView {
  private readonly byId = new Map<string, Campaign>();
  private readonly waiters = new Map<string, Waiter[]>();

  apply(key: string | null, value: Campaign | null): void {
    if (value === null) {
      // Tombstone: the key is gone from the compacted topic.
      if (key !== null) this.byId.delete(key);
      return;
    }
    const prev = this.byId.get(value.id);
    if (prev && prev.version > value.version) return;
    this.byId.set(value.id, value);
    const waiting = this.waiters.get(value.id);
    if (!waiting) return;
    const still = waiting.filter((w) => {
      if (value.version < w.version) return true;
      clearTimeout(w.timer);
      w.resolve(value);
      return false;
    });
    if (still.length > 0) this.waiters.set(value.id, still);
    else this.waiters.delete(value.id);
  }

  get(id: string): Campaign | undefined {
    return this.byId.get(id);
  }

  list(): Campaign[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  /** Resolves once the view holds `id` at `version` or later (read-your-writes). */
  waitForVersion(id: string, version: number, timeoutMs: number): Promise<Campaign> {
    const now = this.byId.get(id);
    if (now && now.version >= version) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        version,
        resolve,
        timer: setTimeout(() => {
          const list = this.waiters.get(id)?.filter((w) => w !== waiter) ?? [];
          if (list.length > 0) this.waiters.set(id, list);
          else this.waiters.delete(id);
          reject(new NotVisibleError(id, version));
        }, timeoutMs),
      };
      const list = this.waiters.get(id);
      if (list) list.push(waiter);
      else this.waiters.set(id, [waiter]);
    });
  }
}
