import type { Redis } from '@streambid/adapters';

/**
 * Redis server CPU time (user + sys) in µs, from `INFO cpu`: less distorted by a busy machine than
 * wall time, but the whole server's (anyone else's commands count too), so a bench that reads it
 * wants a Redis nobody else uses.
 */
export async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = /used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? '0';
  const sys = /used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? '0';
  return (Number(user) + Number(sys)) * 1e6;
}

/** Deletes every key that starts with `prefix` (SCAN and UNLINK, 1000 keys at a time). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [c, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = c;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
