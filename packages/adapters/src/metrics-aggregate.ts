import { AggregatorRegistry, type Registry } from 'prom-client';

/** One registry's metrics as plain data (structured-clone safe: can cross worker threads). */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Prometheus text for several registries of one service (worker threads, cluster workers). Series
 * with identical labels are combined by each metric's aggregator (sum by default); give every
 * source a distinguishing default label to keep its series apart.
 */
export function aggregateMetrics(snapshots: MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots).metrics();
}
