import { afterAll, describe, expect, it } from 'vitest';
import { testRedis, uniq } from '@streambid/testkit/services';
import { updateScript } from '../lua.js';
import { ProfileReader } from '../reader.js';
import { LuaScript } from '../script.js';
import { ProfileFormat, profileKey, watermarkKey, type ProfileUpdate } from '../types.js';
import { ProfileWriter, type SourcedUpdate } from '../writer.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 5, 2, 9);

function sampleUpdates(users: number, perUser: number): ProfileUpdate[] {
  const out: ProfileUpdate[] = [];
  for (let i = 0; i < perUser; i++)
    for (let u = 0; u < users; u++) {
      const userId = `u${String(u)}`;
      const ts = T0 + i * 3_600_000 + u;
      const kind = (i + u) % 4;
      if (kind === 0)
        out.push({
          type: 'pageview',
          userId,
          ts,
          segments: [{ id: `cat:IAB${String(i % 3)}`, weight: 0.25 }],
          country: i % 2 === 0 ? 'DEU' : 'FRA',
          deviceType: 2,
        });
      else if (kind === 1)
        out.push({
          type: 'segments',
          userId,
          ts,
          segments: [{ id: 'auto', score: 0.3 + u / 100 }],
        });
      else if (kind === 2)
        out.push({ type: 'impression', userId, ts, campaignId: `c${String(i % 2)}` });
      else out.push({ type: 'click', userId, ts, campaignId: 'c0' });
    }
  return out;
}

const asBatch = (updates: ProfileUpdate[], first = 0): SourcedUpdate[] =>
  updates.map((update, i) => ({ offset: String(first + i), update }));

describe.each(Object.values(ProfileFormat))(
  'profile store (%s layout) against real Redis',
  (format) => {
    const redis = testRedis('eu');
    const prefixes: string[] = [];
    const store = (
      extra: { ttlSeconds?: number; maxOpsPerCall?: number; maxProfilesPerCall?: number } = {},
    ) => {
      const keyPrefix = `${uniq('prof')}:`;
      prefixes.push(keyPrefix);
      return {
        keyPrefix,
        writer: new ProfileWriter(redis, { keyPrefix, format, ...extra }),
        reader: new ProfileReader(redis, { keyPrefix, format, ...extra }),
      };
    };
    const snapshot = async (reader: ProfileReader, users: number, now: number) => {
      const out: Record<string, unknown> = {};
      for (let u = 0; u < users; u++) out[`u${String(u)}`] = await reader.get(`u${String(u)}`, now);
      return out;
    };

    afterAll(async () => {
      for (const p of prefixes) {
        const keys = await redis.keys(`${p}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
    });

    it('counts impressions per campaign today and over the lifetime', async () => {
      const { writer, reader } = store();
      await writer.recordImpression('alice', 'c1', T0 - DAY);
      await writer.recordImpression('alice', 'c1', T0);
      await writer.recordImpression('alice', 'c1', T0 + 1000);
      await writer.recordImpression('alice', 'c2', T0);
      await writer.recordClick('alice', 'c1', T0 + 2000);
      const res = await reader.get('alice', T0 + 5000);
      expect(res).toEqual({
        kind: 'found',
        profile: {
          userId: 'alice',
          segments: {},
          lastSeen: T0 + 2000,
          freq: { c1: { today: 2, lifetime: 3 }, c2: { today: 1, lifetime: 1 } },
          clicks: 1,
        },
      });
      const next = await reader.get('alice', T0 + DAY);
      expect(next.kind === 'found' && next.profile.freq['c1']).toEqual({ today: 0, lifetime: 3 });
    });

    it('accumulates page-view segments, decays them at read time and keeps the latest geo', async () => {
      const { writer, reader } = store();
      await writer.apply([
        {
          type: 'pageview',
          userId: 'bob',
          ts: T0,
          segments: [{ id: 'cat:IAB1', weight: 0.25 }],
          country: 'DEU',
          deviceType: 4,
        },
        {
          type: 'pageview',
          userId: 'bob',
          ts: T0,
          segments: [{ id: 'cat:IAB1', weight: 0.25 }],
          country: 'FRA',
        },
        { type: 'segments', userId: 'bob', ts: T0, segments: [{ id: 'auto', score: 0.9 }] },
        { type: 'segments', userId: 'bob', ts: T0, segments: [{ id: 'auto', score: 0.2 }] },
      ]);
      const res = await reader.get('bob', T0 + 7 * DAY);
      if (res.kind !== 'found') throw new Error(`expected found, got ${res.kind}`);
      expect(res.profile.segments['cat:IAB1']).toBeCloseTo(0.25, 6);
      expect(res.profile.segments['auto']).toBeCloseTo(0.45, 6);
      expect(res.profile.country).toBe('FRA');
      expect(res.profile.deviceType).toBe(4);
    });

    it('opt-out deletes the profile, leaves a tombstone and ignores later events', async () => {
      const { writer, reader, keyPrefix } = store();
      await writer.recordImpression('carol', 'c1', T0);
      await writer.optOut('carol', T0 + 1);
      await writer.recordImpression('carol', 'c1', T0 + 2);
      expect(await reader.get('carol', T0 + 3)).toEqual({ kind: 'optedOut' });
      const ttl = await redis.ttl(profileKey(keyPrefix, 'carol'));
      expect(ttl).toBeGreaterThan(30 * 86_400);
      expect(await reader.get('nobody', T0)).toEqual({ kind: 'missing' });
    });

    it('sets the profile TTL and refreshes it on activity', async () => {
      const { writer, keyPrefix } = store({ ttlSeconds: 1000 });
      const key = profileKey(keyPrefix, 'dave');
      await writer.recordImpression('dave', 'c1', T0);
      const first = await redis.ttl(key);
      expect(first).toBeGreaterThan(990);
      expect(first).toBeLessThanOrEqual(1000);
      await redis.expire(key, 10);
      await writer.recordClick('dave', 'c1', T0 + 1);
      expect(await redis.ttl(key)).toBeGreaterThan(990);
    });

    it('applies a replayed partition batch only once and leaves every profile deep-equal', async () => {
      const { writer, reader } = store({ maxOpsPerCall: 7 });
      const batch = asBatch(sampleUpdates(5, 12));
      const src = { topic: 'user-events', partition: 3 };
      const first = await writer.applyPartitionBatch(src, batch);
      expect(first).toEqual({ applied: batch.length, skipped: 0 });
      const before = await snapshot(reader, 5, T0 + DAY);
      const again = await writer.applyPartitionBatch(src, batch);
      expect(again).toEqual({ applied: 0, skipped: batch.length });
      expect(await snapshot(reader, 5, T0 + DAY)).toEqual(before);
      // An overlapping re-delivery applies only the new tail.
      const tail = asBatch(
        sampleUpdates(5, 1).map((u) => ({ ...u, ts: u.ts + 50 * DAY })),
        batch.length,
      );
      const overlap = await writer.applyPartitionBatch(src, [...batch.slice(30), ...tail]);
      expect(overlap).toEqual({ applied: tail.length, skipped: batch.length - 30 });
      expect(await writer.watermark(src)).toBe(String(batch.length + tail.length - 1));
    });

    it('gives the same profiles however the updates are split into script calls', async () => {
      const updates = sampleUpdates(6, 20);
      const a = store({ maxOpsPerCall: 1, maxProfilesPerCall: 1 });
      const b = store({ maxOpsPerCall: 500 });
      await a.writer.applyPartitionBatch({ topic: 't', partition: 0 }, asBatch(updates));
      for (let i = 0; i < updates.length; i += 17)
        await b.writer.applyPartitionBatch(
          { topic: 't', partition: 0 },
          asBatch(updates.slice(i, i + 17), i),
        );
      expect(await snapshot(a.reader, 6, T0 + 30 * DAY)).toEqual(
        await snapshot(b.reader, 6, T0 + 30 * DAY),
      );
    });

    it('advances the watermark over messages that change no profile', async () => {
      const { writer } = store();
      const src = { topic: 'impressions', partition: 1 };
      const batch: SourcedUpdate[] = [
        { offset: '10', update: { type: 'click', userId: 'e', ts: T0, campaignId: 'c' } },
        { offset: '11', update: null },
      ];
      await writer.applyPartitionBatch(src, batch);
      expect(await writer.watermark(src)).toBe('11');
    });

    it('refuses a chunk whose predecessor in the batch has not been applied yet', async () => {
      const { keyPrefix, reader } = store();
      const script = new LuaScript(updateScript(format));
      const op = { o: 12, k: 2, t: 'k', ts: T0, cid: 'c' };
      const run = (prev: string) =>
        script.run(
          redis,
          [watermarkKey(keyPrefix), profileKey(keyPrefix, 'f')],
          ['t:0', '12', 60, 60, 1000, 0.01, JSON.stringify([op]), prev],
        );
      await expect(run('11')).rejects.toThrow(/OUT_OF_ORDER/);
      expect(await reader.get('f', T0)).toEqual({ kind: 'missing' });
      await redis.hset(watermarkKey(keyPrefix), 't:0', '11');
      expect(await run('11')).toEqual([1, 0]);
    });

    it('keeps at most maxCallsInFlight script calls at Redis, over all batches', async () => {
      const { keyPrefix, reader } = store();
      let inFlight = 0;
      let peak = 0;
      let calls = 0;
      const counting = new Proxy(redis, {
        get(target, prop) {
          if (prop === 'evalsha')
            return async (...args: Parameters<typeof redis.evalsha>) => {
              calls++;
              peak = Math.max(peak, ++inFlight);
              try {
                return await target.evalsha(...args);
              } finally {
                inFlight--;
              }
            };
          const v: unknown = Reflect.get(target, prop);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const opts = { keyPrefix, format, maxProfilesPerCall: 2, maxOpsPerCall: 4 };
      const updates = sampleUpdates(6, 8);
      for (const maxCallsInFlight of [1, 3]) {
        const writer = new ProfileWriter(counting, { ...opts, maxCallsInFlight });
        peak = 0;
        calls = 0;
        await Promise.all(
          [0, 1, 2].map((partition) =>
            writer.applyPartitionBatch(
              { topic: `t${String(maxCallsInFlight)}`, partition },
              asBatch(updates),
            ),
          ),
        );
        expect(calls).toBeGreaterThan(3 * maxCallsInFlight);
        expect(peak).toBe(maxCallsInFlight);
      }
      const clean = store();
      for (let i = 0; i < 6; i++)
        await clean.writer.applyPartitionBatch({ topic: 'x', partition: i }, asBatch(updates));
      expect(await snapshot(reader, 6, T0 + DAY)).toEqual(
        await snapshot(clean.reader, 6, T0 + DAY),
      );
    });

    it('applies every update exactly once when a batch that failed part-way is retried', async () => {
      const { keyPrefix, reader } = store();
      let calls = 0;
      // The second script call fails (the ones after it then refuse to run): the first call has
      // taken along later updates of its users, which the retry must skip.
      const flaky = new Proxy(redis, {
        get(target, prop) {
          if (prop === 'evalsha')
            return (...args: Parameters<typeof redis.evalsha>) =>
              ++calls === 2 ? Promise.reject(new Error('injected')) : target.evalsha(...args);
          const v: unknown = Reflect.get(target, prop);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const opts = { keyPrefix, format, maxProfilesPerCall: 2, maxOpsPerCall: 5 };
      const writer = new ProfileWriter(flaky, opts);
      const batch = asBatch(sampleUpdates(6, 12));
      const src = { topic: 'user-events', partition: 2 };
      await expect(writer.applyPartitionBatch(src, batch)).rejects.toThrow('injected');
      expect(calls).toBe(2); // nothing is sent after the failed call
      expect(Number(await writer.watermark(src))).toBeLessThan(batch.length - 1);
      const retry = await writer.applyPartitionBatch(src, batch);
      expect(retry.applied).toBeGreaterThan(0);
      expect(retry.applied + retry.skipped).toBe(batch.length);
      expect(await writer.watermark(src)).toBe(String(batch.length - 1));
      const clean = store();
      await clean.writer.applyPartitionBatch(src, batch);
      expect(await snapshot(reader, 6, T0 + DAY)).toEqual(
        await snapshot(clean.reader, 6, T0 + DAY),
      );
    });
  },
);
