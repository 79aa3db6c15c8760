import type { Redis } from 'ioredis';
import { updateScript } from './lua.js';
import { LuaScript } from './script.js';
import {
  profileKey,
  resolveStoreOptions,
  watermarkKey,
  type ProfileStoreOptions,
  type ProfileUpdate,
  type ResolvedStoreOptions,
} from './types.js';

/** Where a batch of updates came from: one partition of one topic. */
export interface PartitionSource {
  topic: string;
  partition: number;
}

/** One consumed message and the profile update it carries, or null when it changes no profile. */
export interface SourcedUpdate {
  offset: string;
  update: ProfileUpdate | null;
}

export interface ApplyResult {
  /** Updates applied now. */
  applied: number;
  /** Updates at or below the stored watermark: applied before, left alone. */
  skipped: number;
}

export interface ProfileWriterOptions extends ProfileStoreOptions {
  /**
   * Updates per script call. A call blocks Redis while it runs, so this and `maxProfilesPerCall`
   * bound the stall a bid-path read can see behind a write; calls for one batch are pipelined.
   * @default 64
   */
  maxOpsPerCall?: number;
  /**
   * Profiles per script call. Loading and storing a profile costs Redis several times more than
   * applying one update to it, so a call takes all of its users' updates in the batch it can.
   * @default 16
   */
  maxProfilesPerCall?: number;
}

type Entry = { offset?: number; update: ProfileUpdate };

type Op = Record<string, unknown>;

function toOp(u: ProfileUpdate, k: number, offset: number | undefined): Op {
  const op: Op = { k, ts: u.ts };
  if (offset !== undefined) op['o'] = offset;
  switch (u.type) {
    case 'pageview':
      op['t'] = 'v';
      op['s'] = u.segments.map((s) => [s.id, s.weight]);
      break;
    case 'segments':
      op['t'] = 's';
      op['s'] = u.segments.map((s) => [s.id, s.score]);
      break;
    case 'impression':
      op['t'] = 'i';
      op['cid'] = u.campaignId;
      break;
    case 'click':
      op['t'] = 'k';
      op['cid'] = u.campaignId;
      break;
    case 'optout':
      op['t'] = 'o';
      break;
  }
  if ((u.type === 'pageview' || u.type === 'impression') && u.country !== undefined)
    op['c'] = u.country;
  if ((u.type === 'pageview' || u.type === 'impression') && u.deviceType !== undefined)
    op['d'] = u.deviceType;
  return op;
}

/** Applies profile updates atomically with their (topic, partition, offset) watermark (Lua). */
export class ProfileWriter {
  private readonly opts: ResolvedStoreOptions;
  private readonly script: LuaScript;
  private readonly maxOps: number;
  private readonly maxProfiles: number;

  constructor(
    private readonly redis: Redis,
    opts: ProfileWriterOptions = {},
  ) {
    this.opts = resolveStoreOptions(opts);
    this.script = new LuaScript(updateScript(this.opts.format));
    this.maxOps = Math.max(1, opts.maxOpsPerCall ?? 64);
    this.maxProfiles = Math.max(1, opts.maxProfilesPerCall ?? 16);
  }

  /**
   * Applies one partition's batch (offsets ascending) exactly once: updates at or below the stored
   * watermark are skipped, and each script call moves the watermark together with its updates. On
   * error nothing past the last completed call is applied; retrying the same batch is safe.
   *
   * A call covers a range of offsets and takes along its users' later updates in the batch, so a
   * user with several updates is loaded and stored once, not once per update. The profile records
   * the offset of the last update taken along, and the call covering it skips it.
   */
  async applyPartitionBatch(
    source: PartitionSource,
    records: readonly SourcedUpdate[],
  ): Promise<ApplyResult> {
    const field = `${source.topic}:${String(source.partition)}`;
    /** Indexes into `records` of each user's updates, and how many of them are already taken. */
    const byUser = new Map<string, { at: number[]; taken: number }>();
    records.forEach((r, i) => {
      if (r.update === null) return;
      const u = byUser.get(r.update.userId);
      if (u === undefined) byUser.set(r.update.userId, { at: [i], taken: 0 });
      else u.at.push(i);
    });
    const calls: Promise<unknown>[] = [];
    let prev = '';
    let i = 0;
    while (i < records.length) {
      const chunk: Entry[] = [];
      const users = new Set<string>();
      let last = '';
      // A chunk covers its updates and any update-less or already taken messages after them, up to
      // the next chunk.
      while (i < records.length) {
        const r = records[i];
        if (r === undefined) break;
        const userId = r.update?.userId;
        const u = userId === undefined ? undefined : byUser.get(userId);
        if (userId !== undefined && u !== undefined && u.at[u.taken] === i) {
          if (chunk.length === this.maxOps || users.size === this.maxProfiles) break;
          users.add(userId);
          for (; u.taken < u.at.length && chunk.length < this.maxOps; u.taken++) {
            const t = records[u.at[u.taken] ?? -1];
            if (t?.update) chunk.push({ offset: Number(t.offset), update: t.update });
          }
        }
        last = r.offset;
        i++;
      }
      if (chunk.length === 0) break;
      calls.push(this.call(field, last, prev, chunk));
      prev = last;
    }
    return this.sum(calls);
  }

  /** Applies updates without a watermark (tools and other apps' tests). Not replay-safe. */
  async apply(updates: readonly ProfileUpdate[]): Promise<ApplyResult> {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < updates.length; i += this.maxOps) {
      const chunk = updates.slice(i, i + this.maxOps).map((update) => ({ update }));
      calls.push(this.call('', '0', '', chunk));
    }
    return this.sum(calls);
  }

  /** Counts one impression of `campaignId` for `userId` (frequency capping). */
  async recordImpression(
    userId: string,
    campaignId: string,
    ts: number = Date.now(),
  ): Promise<void> {
    await this.apply([{ type: 'impression', userId, ts, campaignId }]);
  }

  /** Counts one click by `userId` on `campaignId`. */
  async recordClick(userId: string, campaignId: string, ts: number = Date.now()): Promise<void> {
    await this.apply([{ type: 'click', userId, ts, campaignId }]);
  }

  /** Deletes the profile of `userId` and leaves a tombstone that readers report as `optedOut`. */
  async optOut(userId: string, ts: number = Date.now()): Promise<void> {
    await this.apply([{ type: 'optout', userId, ts }]);
  }

  /** Last applied offset of a partition, or null before the first batch. */
  async watermark(source: PartitionSource): Promise<string | null> {
    return this.redis.hget(
      watermarkKey(this.opts.keyPrefix),
      `${source.topic}:${String(source.partition)}`,
    );
  }

  private call(
    field: string,
    last: string,
    prev: string,
    chunk: readonly Entry[],
  ): Promise<unknown> {
    const keys = [watermarkKey(this.opts.keyPrefix)];
    const index = new Map<string, number>();
    const ops: Op[] = [];
    for (const { offset, update } of chunk) {
      let k = index.get(update.userId);
      if (k === undefined) {
        keys.push(profileKey(this.opts.keyPrefix, update.userId));
        k = keys.length; // Lua arrays are 1-based: the key just pushed is KEYS[k]
        index.set(update.userId, k);
      }
      ops.push(toOp(update, k, offset));
    }
    const o = this.opts;
    return this.script.run(this.redis, keys, [
      field,
      last,
      o.ttlSeconds,
      o.tombstoneTtlSeconds,
      o.segmentHalfLifeMs,
      o.minSegmentScore,
      JSON.stringify(ops),
      prev,
    ]);
  }

  private async sum(calls: Promise<unknown>[]): Promise<ApplyResult> {
    // Wait for every call so none is still in flight when the caller retries.
    const settled = await Promise.allSettled(calls);
    const out: ApplyResult = { applied: 0, skipped: 0 };
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      const [applied, skipped] = s.value as [number, number];
      out.applied += applied;
      out.skipped += skipped;
    }
    return out;
  }
}
