import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, silentLogger, type Redis } from '@streambid/adapters';
import { ProfileReader, ProfileWriter, type ProfileLookup } from '@streambid/profiles';
import { startDelayProxy, type DelayProxy } from '@streambid/infra';
import { endpoints, testRedis, uniq } from '@streambid/testkit/services';
import { ProfileLookups, type LookupResult } from '../stream/profile.js';

/** Runs one lookup; resolves with what `done` got, the result counted and how long it took. */
function lookupOnce(
  lookups: ProfileLookups,
  results: LookupResult[],
  userId: string,
  timeoutMs: number,
): Promise<{
  profile: ProfileLookup | undefined;
  result: LookupResult | undefined;
  ms: number;
  calls: number;
}> {
  const t0 = performance.now();
  const before = results.length;
  return new Promise((resolve) => {
    let calls = 0;
    lookups.lookup(userId, timeoutMs, Date.now(), (profile) => {
      calls++;
      const ms = performance.now() - t0;
      // Wait a little longer so a second call (a bug) would be counted.
      if (calls === 1)
        setTimeout(() => resolve({ profile, result: results[before], ms, calls }), 60);
    });
  });
}

describe('ProfileLookups against the real Redis', () => {
  const prefix = `${uniq('pl')}:`;
  let redis: Redis;
  let slowRedis: Redis;
  let downRedis: Redis;
  let proxy: DelayProxy;

  beforeAll(async () => {
    redis = testRedis('eu');
    const port = Number(new URL(endpoints().redis.eu ?? '').port);
    // 40 ms each way: every read takes at least 80 ms.
    proxy = await startDelayProxy({ listenPort: 0, targetPort: port, delayMs: 40 });
    slowRedis = createRedis(`redis://127.0.0.1:${String(proxy.port)}`, silentLogger(), {
      lazyConnect: false,
    });
    // Nothing listens on port 1; as on the bid path, fail fast instead of queueing.
    downRedis = createRedis('redis://127.0.0.1:1', silentLogger(), {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    downRedis.connect().catch(() => undefined);
    await new ProfileWriter(redis, { keyPrefix: prefix }).apply([
      {
        type: 'segments',
        userId: 'u-known',
        ts: Date.now(),
        segments: [{ id: 'seg-1', score: 1 }],
      },
    ]);
  });

  /** Lookups reading through `client`, and the results they counted, in order. */
  const lookupsOn = (client: Redis): { lookups: ProfileLookups; results: LookupResult[] } => {
    const results: LookupResult[] = [];
    const lookups = new ProfileLookups(new ProfileReader(client, { keyPrefix: prefix }), (r) =>
      results.push(r),
    );
    return { lookups, results };
  };

  afterAll(async () => {
    redis.disconnect();
    slowRedis.disconnect();
    downRedis.disconnect();
    await proxy.close();
  });

  it('yields the stored profile, or missing, well before the deadline', async () => {
    const { lookups, results } = lookupsOn(redis);
    const found = await lookupOnce(lookups, results, 'u-known', 1000);
    expect(found.result).toBe('found');
    expect(found.profile?.kind).toBe('found');
    const missing = await lookupOnce(lookups, results, 'u-nobody', 1000);
    expect(missing.result).toBe('missing');
    expect(missing.profile?.kind).toBe('missing');
    expect([found.calls, missing.calls]).toEqual([1, 1]);
    expect(lookups.inFlight).toBe(0);
    lookups.close();
  });

  it('gives up on a slow Redis at each read’s own deadline, earliest first', async () => {
    const { lookups, results } = lookupsOn(slowRedis);
    await slowRedis.ping(); // connected through the proxy
    const late = lookupOnce(lookups, results, 'u-known', 30);
    const early = lookupOnce(lookups, results, 'u-known', 10);
    const patient = lookupOnce(lookups, results, 'u-known', 2000);
    const [l, e, p] = await Promise.all([late, early, patient]);
    expect(e.profile).toBeUndefined();
    expect(l.profile).toBeUndefined();
    expect(results.slice(0, 2)).toEqual(['timeout', 'timeout']);
    expect([e.calls, l.calls, p.calls]).toEqual([1, 1, 1]);
    // Timed out on time (timer granularity and a loaded machine allow some slack), not at 80 ms.
    expect(e.ms).toBeLessThan(l.ms);
    expect(l.ms).toBeLessThan(75);
    // The patient read waits for the slow answer.
    expect(p.profile?.kind).toBe('found');
    expect(results[2]).toBe('found');
    lookups.close();
  });

  it('yields no profile at once when Redis is down', async () => {
    const { lookups, results } = lookupsOn(downRedis);
    const r = await lookupOnce(lookups, results, 'u-known', 5000);
    expect(r.profile).toBeUndefined();
    expect(r.result).toBe('error');
    expect(r.ms).toBeLessThan(1000);
    lookups.close();
  });

  it('times out the reads in flight when closed', async () => {
    const { lookups, results } = lookupsOn(slowRedis);
    const pending = lookupOnce(lookups, results, 'u-known', 5000);
    expect(lookups.inFlight).toBe(1);
    lookups.close();
    const r = await pending;
    expect(r.profile).toBeUndefined();
    expect(r.result).toBe('timeout');
    expect(lookups.inFlight).toBe(0);
  });
});
