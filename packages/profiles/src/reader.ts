import type { Redis } from 'ioredis';
import { parseBlob, parseHash, toLookup } from './decode.js';
import {
  profileKey,
  resolveStoreOptions,
  type ProfileLookup,
  type ProfileStoreOptions,
  type ResolvedStoreOptions,
} from './types.js';

/** Bid-path read: exactly one Redis round trip. Timeouts are the caller's business. */
export class ProfileReader {
  private readonly opts: ResolvedStoreOptions;

  constructor(
    private readonly redis: Redis,
    opts?: ProfileStoreOptions,
  ) {
    this.opts = resolveStoreOptions(opts);
  }

  /** The profile of `userId` decayed to `now`, `missing`, or `optedOut` when a tombstone is stored. */
  async get(userId: string, now: number = Date.now()): Promise<ProfileLookup> {
    const key = profileKey(this.opts.keyPrefix, userId);
    const stored =
      this.opts.format === 'hash'
        ? parseHash(await this.redis.hgetall(key))
        : parseBlob(await this.redis.get(key));
    return toLookup(userId, stored, now, this.opts);
  }
}
