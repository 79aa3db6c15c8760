import { afterAll, describe, expect, it } from 'vitest';
import { testRedis, uniq } from '@streambid/testkit/services';

describe('Redis against the real server', () => {
  const redis = testRedis('eu');
  const prefix = uniq('test');
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('round-trips a hash and its TTL in one pipeline', async () => {
    const key = `${prefix}:profile:u1`;
    const res = await redis
      .multi()
      .hset(key, { seg: 'sports', freq: '3' })
      .pexpire(key, 60_000)
      .hgetall(key)
      .pttl(key)
      .exec();
    expect(res?.[2]?.[1]).toEqual({ seg: 'sports', freq: '3' });
    expect(Number(res?.[3]?.[1])).toBeGreaterThan(50_000);
  });

  it('runs a Lua script atomically', async () => {
    const key = `${prefix}:counter`;
    const script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    expect(await redis.eval(script, 1, key, 5)).toBe(5);
    expect(await redis.eval(script, 1, key, 2)).toBe(7);
  });
});
