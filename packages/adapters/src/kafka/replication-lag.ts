import { Gauge, Histogram, type Registry } from 'prom-client';

/** What the lag of one consumed message depends on (a subset of `ConsumedRecord`). */
export interface LagSample {
  /** Physical topic (`us.spend`). */
  readonly topic: string;
  /** Region the message was replicated from; null for a local topic (no replication lag). */
  readonly sourceRegion: string | null;
  /** Event time (the producer-set message timestamp, which MirrorMaker 2 preserves). */
  readonly timestamp: number;
}

/**
 * Replication lag of one message: arrival time minus event time, in ms, never negative (clock
 * skew between hosts could make it so). Null for a message read from a local topic.
 */
export function replicationLagMs(sample: LagSample, receivedAtMs: number): number | null {
  if (sample.sourceRegion === null) return null;
  return Math.max(0, receivedAtMs - sample.timestamp);
}

/**
 * A consumer handler (for a subscription with `includeRemotes`) that reports the replication lag
 * of every remote message it is given, timed on arrival; local messages are skipped.
 */
export function onReplicationLag(
  report: (lagMs: number) => void,
  now: () => number = Date.now,
): (samples: readonly LagSample[]) => void {
  return (samples) => {
    const receivedAtMs = now();
    for (const s of samples) {
      const lag = replicationLagMs(s, receivedAtMs);
      if (lag !== null) report(lag);
    }
  };
}

export interface ReplicationLagOptions {
  /** Registry the metrics are registered in (the app's `/metrics`). */
  readonly registry: Registry;
  /** Metric name prefix. @default 'streambid_replication_lag' */
  readonly prefix?: string;
  /** Histogram buckets in seconds. @default 5 ms .. 60 s */
  readonly buckets?: readonly number[];
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Records per remote topic how late replicated messages arrive (arrival − event time) as a
 * Prometheus histogram `<prefix>_seconds{topic,source_region}` and the latest value as a gauge
 * `<prefix>_last_seconds{topic,source_region}`. Local messages are ignored.
 *
 * Call {@link ReplicationLagRecorder.observe} from a consumer handler with the records it got.
 */
export class ReplicationLagRecorder {
  private readonly histogram: Histogram<'topic' | 'source_region'>;
  private readonly last: Gauge<'topic' | 'source_region'>;
  private readonly now: () => number;

  constructor(opts: ReplicationLagOptions) {
    const prefix = opts.prefix ?? 'streambid_replication_lag';
    this.now = opts.now ?? Date.now;
    this.histogram = new Histogram({
      name: `${prefix}_seconds`,
      help: 'Arrival time minus event time of messages read from remote (replicated) topics.',
      labelNames: ['topic', 'source_region'],
      buckets: [...(opts.buckets ?? DEFAULT_BUCKETS)],
      registers: [opts.registry],
    });
    this.last = new Gauge({
      name: `${prefix}_last_seconds`,
      help: 'Replication lag of the latest message read per remote topic.',
      labelNames: ['topic', 'source_region'],
      registers: [opts.registry],
    });
  }

  /** Records the lag of every remote message in `samples`; returns how many were remote. */
  observe(samples: readonly LagSample[], receivedAtMs: number = this.now()): number {
    let remote = 0;
    for (const s of samples) {
      const lag = replicationLagMs(s, receivedAtMs);
      if (lag === null || s.sourceRegion === null) continue;
      const labels = { topic: s.topic, source_region: s.sourceRegion };
      this.histogram.observe(labels, lag / 1000);
      this.last.set(labels, lag / 1000);
      remote++;
    }
    return remote;
  }
}
