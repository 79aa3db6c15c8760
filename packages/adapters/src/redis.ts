import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type { Redis } from 'ioredis';

/**
 * An ioredis client that fails fast instead of queueing forever while Redis is down: callers on the
 * bid path decide what to do without a profile.
 */
export function createRedis(url: string, logger: Logger, extra: RedisOptions = {}): Redis {
  const log = logger.child({ module: 'redis' });
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    ...extra,
  });
  client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  return client;
}
