import type { Redis } from 'ioredis';
import { FifoLimiter } from './limiter.js';
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
  /**
   * Script calls sent to Redis and not yet answered, over all batches of this writer. Redis runs
   * the commands a connection has buffered before it turns to the next connection, so a deep
   * pipeline of script calls holds up a bid-path read for several calls, not one.
   * @default 1
   */
  maxCallsInFlight?: number;
}

type Entry = { offset?: number; update: ProfileUpdate };

/** One script call: its updates, and the offset of the last message it covers. */
type Chunk = { last: string; entries: Entry[] };

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
  private readonly inFlight: FifoLimiter;

  constructor(
    private readonly redis: Redis,
    opts: ProfileWriterOptions = {},
  ) {
    this.opts = resolveStoreOptions(opts);
    this.script = new LuaScript(updateScript(this.opts.format));
    this.maxOps = Math.max(1, opts.maxOpsPerCall ?? 64);
    this.maxProfiles = Math.max(1, opts.maxProfilesPerCall ?? 16);
    this.inFlight = new FifoLimiter(Math.max(1, opts.maxCallsInFlight ?? 1));
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
    return this.send(`${source.topic}:${String(source.partition)}`, this.chunksOf(records));
  }

  /** Applies updates without a watermark (tools and other apps' tests). Not replay-safe. */
  async apply(updates: readonly ProfileUpdate[]): Promise<ApplyResult> {
    const chunks: Chunk[] = [];
    for (let i = 0; i < updates.length; i += this.maxOps)
      chunks.push({
        last: '0',
        entries: updates.slice(i, i + this.maxOps).map((update) => ({ update })),
      });
    return this.send('', chunks);
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

  /**
   * Splits a partition batch into script calls. A call covers a range of offsets: its updates and
   * any update-less or already taken messages after them, up to the next call. Lazy, so that a big
   * batch is cut up call by call while earlier calls run, not all at once.
   */
  private *chunksOf(records: readonly SourcedUpdate[]): Generator<Chunk> {
    /** Indexes into `records` of each user's updates, and how many of them are already taken. */
    const byUser = new Map<string, { at: number[]; taken: number }>();
    records.forEach((r, i) => {
      if (r.update === null) return;
      const u = byUser.get(r.update.userId);
      if (u === undefined) byUser.set(r.update.userId, { at: [i], taken: 0 });
      else u.at.push(i);
    });
    let i = 0;
    while (i < records.length) {
      const entries: Entry[] = [];
      const users = new Set<string>();
      let last = '';
      while (i < records.length) {
        const r = records[i];
        if (r === undefined) break;
        const userId = r.update?.userId;
        const u = userId === undefined ? undefined : byUser.get(userId);
        if (userId !== undefined && u !== undefined && u.at[u.taken] === i) {
          if (entries.length === this.maxOps || users.size === this.maxProfiles) break;
          users.add(userId);
          for (; u.taken < u.at.length && entries.length < this.maxOps; u.taken++) {
            const t = records[u.at[u.taken] ?? -1];
            if (t?.update) entries.push({ offset: Number(t.offset), update: t.update });
          }
        }
        last = r.offset;
        i++;
      }
      if (entries.length === 0) return;
      yield { last, entries };
    }
  }

  /**
   * Runs the calls in order, each as soon as the writer has a call slot free, and prepares the next
   * while it waits. Stops sending after a failure (the calls after it would be refused as out of
   * order anyway) and rethrows it once every sent call has settled, so none is still in flight
   * when the caller retries.
   */
  private async send(field: string, chunks: Iterable<Chunk>): Promise<ApplyResult> {
    const calls: Promise<ApplyResult>[] = [];
    let failed = false;
    let prev = '';
    for (const chunk of chunks) {
      const args = this.scriptArgs(field, prev, chunk);
      prev = chunk.last;
      await this.inFlight.acquire();
      if (failed) {
        this.inFlight.release();
        break;
      }
      const call = this.script.run(this.redis, args.keys, args.argv).then(
        (res) => {
          this.inFlight.release();
          const [applied, skipped] = res as [number, number];
          return { applied, skipped };
        },
        (err: unknown) => {
          this.inFlight.release();
          failed = true;
          throw err;
        },
      );
      // Observed below; keeps an early failure from being reported as unhandled meanwhile.
      call.catch(() => undefined);
      calls.push(call);
    }
    const out: ApplyResult = { applied: 0, skipped: 0 };
    for (const s of await Promise.allSettled(calls)) {
      if (s.status === 'rejected') throw s.reason;
      out.applied += s.value.applied;
      out.skipped += s.value.skipped;
    }
    return out;
  }

  private scriptArgs(
    field: string,
    prev: string,
    chunk: Chunk,
  ): { keys: string[]; argv: (string | number)[] } {
    const keys = [watermarkKey(this.opts.keyPrefix)];
    const index = new Map<string, number>();
    const ops: Op[] = [];
    for (const { offset, update } of chunk.entries) {
      let k = index.get(update.userId);
      if (k === undefined) {
        keys.push(profileKey(this.opts.keyPrefix, update.userId));
        k = keys.length; // Lua arrays are 1-based: the key just pushed is KEYS[k]
        index.set(update.userId, k);
      }
      ops.push(toOp(update, k, offset));
    }
    const o = this.opts;
    const argv = [
      field,
      chunk.last,
      o.ttlSeconds,
      o.tombstoneTtlSeconds,
      o.segmentHalfLifeMs,
      o.minSegmentScore,
      JSON.stringify(ops),
      prev,
    ];
    return { keys, argv };
  }
}
