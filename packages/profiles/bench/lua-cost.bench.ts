/**
 * Redis-side cost of the update script per update (server CPU from INFO cpu), by layout and update
 * kind, with every update on a different profile (the common case on a busy partition).
 * `node --conditions=@streambid/source --import tsx packages/profiles/bench/lua-cost.bench.ts`
 * Point REDIS_URL at a Redis nobody else uses: the CPU figure is the whole server's.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, redisCpuUs } from '@streambid/testkit';
import { ProfileFormat, ProfileWriter, type ProfileUpdate } from '../src/index.js';

const N = 20_000;
const now = Date.now();

function updates(kind: 'impression' | 'pageview', round: number): ProfileUpdate[] {
  return Array.from({ length: N }, (_, u): ProfileUpdate => {
    const userId = `u${String(u)}`;
    const ts = now - 100_000 + round * 1000;
    return kind === 'impression'
      ? { type: 'impression', userId, ts, campaignId: `c${String(round % 3)}` }
      : {
          type: 'pageview',
          userId,
          ts,
          segments: [
            { id: `cat:IAB${String(round % 5)}`, weight: 0.25 },
            { id: 'kw:news', weight: 0.1 },
          ],
          country: 'DEU',
        };
  });
}

async function main(): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const out: Record<string, number> = {};
  try {
    for (const format of Object.values(ProfileFormat))
      for (const maxOpsPerCall of [64, 256]) {
        const keyPrefix = `luacost-${randomBytes(4).toString('hex')}:`;
        const w = new ProfileWriter(redis, { keyPrefix, format, maxOpsPerCall });
        // Profiles with a few segments and campaigns first, as a live store has.
        for (let r = 0; r < 4; r++) await w.apply(updates('pageview', r));
        for (let r = 0; r < 3; r++) await w.apply(updates('impression', r));
        for (const kind of ['impression', 'pageview'] as const) {
          const before = await redisCpuUs(redis);
          const t = performance.now();
          await w.applyPartitionBatch(
            { topic: 'bench', partition: 0 },
            updates(kind, 9).map((update, i) => ({ offset: String(i), update })),
          );
          const wall = performance.now() - t;
          const after = await redisCpuUs(redis);
          out[`${format}_${kind}_ops${String(maxOpsPerCall)}_redis_cpu_us_per_update`] =
            Math.round((100 * (after - before)) / N) / 100;
          out[`${format}_${kind}_ops${String(maxOpsPerCall)}_updates_per_s`] = Math.round(
            N / (wall / 1000),
          );
          await redis.del(`${keyPrefix}wm`);
        }
        await deleteKeysWithPrefix(redis, keyPrefix);
      }
    console.log(JSON.stringify({ bench: 'profile-lua-cost', updates: N, ...out }));
  } finally {
    redis.disconnect();
  }
}

await main();
