/**
 * Bid-path reads in their own process (forked by profiles.bench.ts), so the latency measured is
 * Redis plus decode, not time spent waiting behind the consumer on the bench's event loop.
 * Reads one profile at a time until the parent sends 'stop', then replies with the latencies.
 */
import { createRedis, silentLogger } from '@streambid/adapters';
import { ProfileReader } from '@streambid/profiles';

const [redisUrl = '', keyPrefix = '', usersArg = '1'] = process.argv.slice(2);
const users = Number(usersArg);
const redis = createRedis(redisUrl, silentLogger(), { lazyConnect: false });
const reader = new ProfileReader(redis, { keyPrefix });
const latencies: number[] = [];
let found = 0;
let stopping = false;
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
});
process.send?.('ready');
// Bounded: the parent stops it within the benchmark; the cap guards against a lost parent.
for (let i = 0; !stopping && i < 5_000_000; i++) {
  const t = performance.now();
  const res = await reader.get(`user-${String((i * 7919) % users)}`);
  latencies.push(performance.now() - t);
  if (res.kind === 'found') found++;
}
redis.disconnect();
process.send?.({ latencies, found }, () => process.disconnect());
