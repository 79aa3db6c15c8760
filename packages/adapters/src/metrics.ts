import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A registry with process metrics (CPU, memory, event-loop lag) and a `service` label. */
export function createMetricsRegistry(
  service: string,
  labels: Record<string, string> = {},
): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service, ...labels });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return registry;
}

/**
 * The counter `name` of `registry`, registered on first use: one counter per registry however
 * many times its owner is built (say, one HTTP guard per router module).
 */
export function sharedCounter<L extends string>(
  registry: Registry,
  o: { name: string; help: string; labelNames: readonly L[] },
): Counter<L> {
  const existing = registry.getSingleMetric(o.name) as Counter<L> | undefined;
  return (
    existing ??
    new Counter({ name: o.name, help: o.help, labelNames: o.labelNames, registers: [registry] })
  );
}
