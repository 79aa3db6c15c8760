/**
 * V8 flags the bidder process runs with; `npm run bidder` spells them out too (a test keeps the two
 * in step), and the benchmark, the load test and the endpoint test start the bidder with them.
 *
 * `--single-threaded-gc`: a scavenge waits for every GC helper thread it started, and on a host
 * whose cores the bidder shares (here: generator, brokers and Redis on 2 cores) a preempted helper
 * stretches the pause. Measured with `bench:bidder` at 8,000 req/s, 20 s, two runs each: worker
 * scavenges mean 1.12–1.39 → 0.82–0.91 ms, longest 16–32 → 8–15 ms, p99.9 latency 15.9–37.5 →
 * 10.2–10.6 ms. V8 cannot switch it once running (changing it at start-up crashes the isolate).
 * On a host with cores to spare for the bidder, parallel GC may be the better choice.
 */
export const BIDDER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
