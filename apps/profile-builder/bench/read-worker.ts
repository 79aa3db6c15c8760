/**
 * Bid-path reads in their own process (forked by profiles.bench.ts), so the latency measured is
 * Redis plus decode, not time spent waiting behind the consumer on the bench's event loop.
 *
 * Reads are due at Poisson times (mean rate `readsPerS`), like bid requests, rather than each as
 * soon as the last one returned: a closed loop takes one sample per Redis stall and hundreds
 * between stalls, so it under-counts exactly the reads that wait. One read is in flight at a time
 * (one `ProfileReader.get`, timed from the call to the result); between reads the thread sleeps
 * (Atomics.wait, nothing in flight then) instead of spinning, and a read due while the previous
 * one is still out starts as soon as it returns.
 *
 * Runs until the parent sends 'stop', then replies with when each read was issued (epoch ms, so
 * the parent can keep only the reads made while the builder was writing), its latency and outcome.
 */
import { createRedis, silentLogger } from '@streambid/adapters';
import { ProfileReader } from '@streambid/profiles';

const [redisUrl = '', keyPrefix = '', usersArg = '1', rateArg = '5000'] = process.argv.slice(2);
const users = Number(usersArg);
/** 0: a closed loop, each read as soon as the last returned (for comparison only, see above). */
const meanGapMs = Number(rateArg) > 0 ? 1000 / Number(rateArg) : 0;
const redis = createRedis(redisUrl, silentLogger(), { lazyConnect: false });
const reader = new ProfileReader(redis, { keyPrefix });
// Preallocated so that recording a read allocates nothing (no GC pause of the reader's own making).
const CAP = 2_000_000;
const issued = new Float64Array(CAP);
const latencies = new Float64Array(CAP);
const found = new Uint8Array(CAP);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let n = 0;
let stopping = false;
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
});
await redis.ping();
process.send?.('ready');
const origin = performance.timeOrigin;
let due = performance.now();
for (; !stopping && n < CAP; n++) {
  const wait = due - performance.now();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
  const t = performance.now();
  const res = await reader.get(`user-${String((n * 7919) % users)}`);
  latencies[n] = performance.now() - t;
  issued[n] = origin + t;
  found[n] = res.kind === 'found' ? 1 : 0;
  due += -Math.log(1 - Math.random()) * meanGapMs;
}
redis.disconnect();
process.send?.(
  {
    issued: Array.from(issued.subarray(0, n)),
    latencies: Array.from(latencies.subarray(0, n)),
    found: Array.from(found.subarray(0, n)),
  },
  () => process.disconnect(),
);
